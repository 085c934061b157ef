#!/usr/bin/env node
// The web example (examples/web) in real Chromium without a real LXD: nginx serves the page alone
// (examples/web/serve.mjs, `virtual: true`, as `npm run demo:web` does when there is no LXD) and
// the page, opened with `?virtual`, runs lxd-fetch/mock's virtual LXD in itself through MSW's
// service worker. The page says so; the terminal shows the virtual sh's prompt, `echo hi` prints
// hi, `stty size` matches the terminal, Ctrl-C stops `sleep 100`, `exit 3` shows exit code 3, the exec's operation appears
// and finishes in the operations panel, and no /1.0 request reached nginx. Needs no LXD.
// Saves a screenshot to artifacts/web-virtual.png. Prints `web-virtual: N passed, M failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, pageDriver } from "./web-page.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const started = Date.now();
const log = (line) => console.log(`[web-virtual] ${line}`);

function fail(why) {
  console.error(`[web-virtual] ${why}`);
  console.log("web-virtual: 0 passed, 1 failed");
  process.exit(1);
}
for (const [what, path] of [
  ["chromium", CHROMIUM],
  ["nginx", process.env.NGINX_PATH ?? "/usr/sbin/nginx"],
]) {
  if (!existsSync(path)) fail(`${what} is not installed (${path}; bash scripts/setup.sh)`);
}
for (const entry of ["dist/browser.js", "dist/mock.js"])
  if (!existsSync(join(root, entry))) fail(`${entry} is missing: build first (npm run build)`);

const build = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "examples/web", "--logLevel", "warn"], {
  cwd: root,
  encoding: "utf8",
});
if (build.status !== 0) fail(`vite build failed:\n${build.stdout}${build.stderr}`);

let passed = 0;
let failed = 0;
/** One named check: passes when `fn` resolves, fails with its error; later checks still run. */
async function check(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    passed++;
    log(`ok   ${name}${detail ? ` (${detail})` : ""} ${Date.now() - t} ms`);
  } catch (err) {
    failed++;
    log(`FAIL ${name}: ${err instanceof Error ? err.message : err}`);
  }
}

const { startWebServer } = await import("../examples/web/serve.mjs");
const userDataDir = mkdtempSync(join(tmpdir(), "lxd-fetch-web-virtual-chromium-"));
let server;
let context;
try {
  server = await startWebServer({ virtual: true });
  log(`nginx ${server.origin}, page ${server.url}`);
  context = await launchChromium(userDataDir, CHROMIUM);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 }).catch((err) => {
    throw new Error(`the page did not start: ${pageErrors.join("; ") || err.message}`);
  });

  const { text, termSize, waitText, run, stty, waitStatus } = pageDriver(page);

  await check("the page says it runs on the virtual LXD, and lists its instance c1 as Running", async () => {
    const mode = await page.locator("body").getAttribute("data-mode");
    const said = await page.locator("#server").textContent();
    if (mode !== "virtual" || !/virtual LXD/.test(said ?? "")) throw new Error(`mode ${mode}, header says ${JSON.stringify(said)}`);
    const state = await page.locator(`#instances tr[data-instance="c1"] td`).nth(1).textContent();
    if (state !== "Running") throw new Error(`c1 state ${state}`);
    await page.waitForSelector("#events-status[data-state=live]", { timeout: 5000 });
    return said;
  });

  let shellOp;
  await check("a shell opens with a prompt and its exec operation appears as Running", async () => {
    await page.locator(`#instances tr[data-instance="c1"] button`).click();
    await page.waitForFunction(() => document.querySelector("#term-title")?.dataset.operation);
    shellOp = await page.locator("#term-title").getAttribute("data-operation");
    await waitText(/^#$/m); // the prompt "# " (the text is read with trailing spaces trimmed)
    await waitStatus(shellOp, "Running");
    return `operation ${shellOp}`;
  });

  await check("echo hi prints hi", async () => {
    await page.locator("#terminal").click();
    const at = await run("echo hi");
    await waitText(/^hi$/m, { after: at + "echo hi".length });
  });

  await check("stty size matches the terminal's rows and cols, also after a viewport resize", async () => {
    const sizes = [];
    for (const viewport of [undefined, { width: 1000, height: 560 }]) {
      const before = await termSize();
      if (viewport) {
        await page.setViewportSize(viewport);
        await page.waitForFunction((b) => {
          const t = window.lxdWeb.term();
          return t.cols !== b.cols && t.rows !== b.rows;
        }, before);
      }
      const { rows, cols } = await stty();
      const term = await termSize();
      if (rows !== term.rows || cols !== term.cols) throw new Error(`stty ${rows}x${cols}, terminal ${term.rows}x${term.cols}`);
      sizes.push(`${rows}x${cols}`);
    }
    return sizes.join(" → ");
  });

  await check("Ctrl-C stops sleep 100: ^C, and the prompt comes back", async () => {
    const t = Date.now();
    await run("sleep 100");
    await page.waitForTimeout(300); // sleep is running
    const at = (await text()).length;
    await page.keyboard.press("Control+C");
    await waitText(/^\^C\n#$/m, { after: at, timeout: 5000 });
    const after = await run("echo back");
    await waitText(/^back$/m, { after: after + "echo back".length });
    return `${Date.now() - t} ms`;
  });

  await check("exit 3 ends the shell: exit code 3 shown, its operation finishes in the panel", async () => {
    await run("exit 3");
    await page.waitForSelector("#term-exit[data-exit-code]", { timeout: 10_000 });
    const code = await page.locator("#term-exit").getAttribute("data-exit-code");
    if (code !== "3") throw new Error(`exit code ${code}`);
    await waitStatus(shellOp, "Success");
    return `operation ${shellOp}: Success`;
  });

  await check("no /1.0 request reached nginx: the virtual LXD in the page answered them all", async () => {
    const access = readFileSync(join(server.prefix, "access.log"), "utf8");
    const lxd = access.split("\n").filter((l) => l.includes(" /1.0"));
    if (lxd.length) throw new Error(`nginx saw: ${lxd.slice(0, 3).join(" | ")}`);
    if (!access.includes("/mockServiceWorker.js")) throw new Error("the worker script was never fetched");
    return `${access.trim().split("\n").length} requests, none to /1.0`;
  });

  mkdirSync(join(root, "artifacts"), { recursive: true });
  await page.screenshot({ path: join(root, "artifacts/web-virtual.png") });
  log("screenshot: artifacts/web-virtual.png");
  if (pageErrors.length) {
    failed++;
    log(`FAIL page errors: ${pageErrors.join("; ")}`);
  }
} catch (err) {
  failed++;
  console.error(`[web-virtual] ${err instanceof Error ? err.stack : err}`);
} finally {
  await context?.close().catch(() => undefined);
  await server?.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`web-virtual: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
