#!/usr/bin/env node
// The web example (examples/web) in real Chromium against the real LXD, through nginx as the
// recipe of docs/web-apps.md (examples/web/serve.mjs): the terminal's PTY size (stty size) matches the
// terminal and follows a viewport resize, typed input runs (echo $((6*7)) → 42), Ctrl-C stops
// `sleep 100`, the exec's operation appears and finishes in the live operations panel, another
// operation can be cancelled from it, and the panel reconnects after a daemon restart
// (scripts/lxd-up.sh --restart). Saves a screenshot to
// artifacts/web.png. Prints `web: N passed, M failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, pageDriver } from "./web-page.mjs";
import { loadLxdEnv, skipOrFail } from "../scripts/lxd-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const started = Date.now();
const log = (line) => console.log(`[web] ${line}`);

const { env, why } = loadLxdEnv();
if (!env) skipOrFail("web", why);
for (const [what, path] of [
  ["chromium", CHROMIUM],
  ["nginx", process.env.NGINX_PATH ?? "/usr/sbin/nginx"],
]) {
  if (!existsSync(path)) skipOrFail("web", `${what} is not installed (${path}; bash scripts/setup.sh)`);
}
if (!existsSync(join(root, "dist/browser.js"))) skipOrFail("web", "dist/browser.js is missing: build first (npm run build)");

// The page as users get it: `vite build` of the example against the built package.
const build = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "examples/web", "--logLevel", "warn"], {
  cwd: root,
  encoding: "utf8",
});
if (build.status !== 0) {
  console.error(`[web] vite build failed:\n${build.stdout}${build.stderr}`);
  console.log("web: 0 passed, 1 failed");
  process.exit(1);
}

let passed = 0;
let failed = 0;
/** One named check: passes when `fn` resolves, fails with its error; later checks still run. */
async function check(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    passed++;
    log(`ok   ${name}${detail ? ` (${detail})` : ""} ${Date.now() - t} ms`);
    return true;
  } catch (err) {
    failed++;
    log(`FAIL ${name}: ${err instanceof Error ? err.message : err}`);
    return false;
  }
}

const { startWebServer } = await import("../examples/web/serve.mjs");
const userDataDir = mkdtempSync(join(tmpdir(), "lxd-fetch-web-chromium-"));
let server;
let context;
try {
  server = await startWebServer();
  log(`nginx ${server.origin} → ${env.httpsUrl}`);
  context = await launchChromium(userDataDir, CHROMIUM);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  // Every state the events indicator takes, recorded in the page as it changes.
  await page.addInitScript(() => {
    window.eventStates = [];
    new MutationObserver(() => {
      const s = document.querySelector("#events-status")?.dataset.state;
      if (s && window.eventStates.at(-1) !== s) window.eventStates.push(s);
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
  });
  await page.goto(`${server.origin}/`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 }).catch((err) => {
    throw new Error(`the page did not start: ${pageErrors.join("; ") || err.message}`);
  });

  const { text, termSize, waitText, run, stty, waitStatus } = pageDriver(page);

  await check("the instance list shows the container and its state", async () => {
    const state = await page.locator(`#instances tr[data-instance="${env.container}"] td`).nth(1).textContent();
    if (state !== "Running") throw new Error(`state ${state}`);
    return `${env.container} ${state}`;
  });

  let shellOp;
  await check("a shell opens in the terminal tab and its exec operation appears as Running", async () => {
    await page.locator(`#instances tr[data-instance="${env.container}"] button`).click();
    await page.waitForFunction(() => document.querySelector("#term-title")?.dataset.operation);
    shellOp = await page.locator("#term-title").getAttribute("data-operation");
    await waitStatus(shellOp, "Running");
    await page.locator("#terminal").click();
    const at = await run("echo ready-$((1+1))");
    await waitText(/^ready-2$/m, { after: at });
    return `operation ${shellOp}`;
  });

  await check("stty size in the shell matches the terminal's rows and cols", async () => {
    const [pty, term] = [await stty(), await termSize()];
    const shown = await page.locator("#term-size").textContent();
    if (pty.rows !== term.rows || pty.cols !== term.cols || shown !== `${term.cols}×${term.rows}`) {
      throw new Error(`stty ${pty.rows}x${pty.cols}, terminal ${term.rows}x${term.cols}, shown ${shown}`);
    }
    return `${pty.rows} rows, ${pty.cols} cols`;
  });

  await check("a smaller viewport resizes the terminal and the PTY follows", async () => {
    const before = await termSize();
    await page.setViewportSize({ width: 1000, height: 560 });
    await page.waitForFunction((b) => {
      const t = window.lxdWeb.term();
      return t.cols !== b.cols && t.rows !== b.rows;
    }, before);
    const [pty, term] = [await stty(), await termSize()];
    if (pty.rows !== term.rows || pty.cols !== term.cols)
      throw new Error(`stty ${pty.rows}x${pty.cols}, terminal ${term.rows}x${term.cols}`);
    return `${before.rows}x${before.cols} → ${pty.rows}x${pty.cols}`;
  });

  await check("echo $((6*7)) prints 42", async () => {
    const at = await run("echo $((6*7))");
    await waitText(/^42$/m, { after: at + "echo $((6*7))".length });
  });

  await check("Ctrl-C stops sleep 100 and the prompt comes back", async () => {
    const t = Date.now();
    await run("sleep 100");
    await page.waitForTimeout(300); // sleep is running
    const at = (await text()).length;
    await page.keyboard.press("Control+C");
    const after = await run("echo back-$((2+3))");
    await waitText(/^back-5$/m, { after, timeout: 5000 });
    if (!(await text()).slice(at).includes("^C")) throw new Error("no ^C echoed by the PTY");
    return `${Date.now() - t} ms`;
  });

  await check("exit 3 ends the shell: exit code shown, its operation finishes in the panel", async () => {
    await run("exit 3");
    await page.waitForSelector("#term-exit[data-exit-code]", { timeout: 10_000 });
    const code = await page.locator("#term-exit").getAttribute("data-exit-code");
    if (code !== "3") throw new Error(`exit code ${code}`);
    await waitStatus(shellOp, "Success");
    return `operation ${shellOp}: Success`;
  });

  await check("an operation started elsewhere appears live and its cancel button cancels it", async () => {
    // A trust token: an operation that stays Running, cancellable, until cancelled.
    const { createLxd } = await import("../dist/index.js");
    const lxd = createLxd({ remotes: { s: { socket: env.socket } }, defaultRemote: "s" });
    try {
      const { data, response } = await lxd
        .api()
        .POST("/1.0/certificates", { body: { name: `lxd-fetch-web-${Date.now()}`, type: "client", token: true } });
      const id = data?.metadata?.id;
      if (response.status !== 202 || !id) throw new Error(`token operation not created: ${response.status}`);
      await waitStatus(id, "Running");
      await page.locator(`#operations li[data-op-id="${id}"] button`).click();
      await waitStatus(id, "Cancelled");
      const still = (await lxd.operations.list(undefined, { recursion: true })).running?.some((o) => o.id === id);
      if (still) throw new Error("LXD still lists it as running");
      return `token operation ${id}: Running → Cancelled`;
    } finally {
      await lxd.close();
    }
  });

  await check("daemon restart: the panel shows the drop, reconnects, and live events resume", async () => {
    const r = spawnSync("bash", [join(root, "scripts/lxd-up.sh"), "--restart"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`lxd-up.sh --restart failed: ${r.stderr}`);
    await page.waitForSelector("#events-status[data-reconnects]", { timeout: 30_000 });
    const states = await page.evaluate(() => window.eventStates);
    const drop = states.lastIndexOf("reconnecting");
    if (drop < 0 || !states.slice(drop).includes("live")) throw new Error(`indicator went ${states.join(" → ")}`);
    // Events flow on the new socket: a new shell's operation appears and finishes.
    await page.locator(`#instances tr[data-instance="${env.container}"] button`).click();
    await page.waitForFunction((old) => {
      const id = document.querySelector("#term-title")?.dataset.operation;
      return id && id !== old;
    }, shellOp);
    const op = await page.locator("#term-title").getAttribute("data-operation");
    await waitStatus(op, "Running");
    await page.locator("#terminal").click();
    const at = await run("echo again-$((3+4))");
    await waitText(/^again-7$/m, { after: at });
    await run("exit 0");
    await waitStatus(op, "Success");
    return `indicator ${states.join(" → ")}`;
  });

  mkdirSync(join(root, "artifacts"), { recursive: true });
  await page.screenshot({ path: join(root, "artifacts/web.png") });
  log("screenshot: artifacts/web.png");
  if (pageErrors.length) {
    failed++;
    log(`FAIL page errors: ${pageErrors.join("; ")}`);
  }
} catch (err) {
  failed++;
  console.error(`[web] ${err instanceof Error ? err.stack : err}`);
} finally {
  await context?.close().catch(() => undefined);
  await server?.stop();
  rmSync(userDataDir, { recursive: true, force: true });
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
