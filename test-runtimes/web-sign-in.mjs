#!/usr/bin/env node
// The web example signed in with Incus's own OIDC flow, in real Chromium against the real Incus
// 6.0.4 and the real identity provider of scripts/idp-up.sh, with no client certificate anywhere
// (examples/web/serve-sign-in.mjs: HTTPS on loopback, the page at /ui/, /1.0 and /oidc/ forwarded
// to Incus). Chromium verifies TLS: the sign-in server's test CA is trusted in this run's own NSS
// database (a HOME of its own), and a Chromium without it is refused. The test is the user: it
// clicks "sign in", fills the IdP's login form and consents, lands on /ui/ signed in, and then
// keeps a terminal session and the events socket open for 60 s with 5 s access tokens (a login
// starting with "short"), typing a command every 3 s and listing again, while Incus refreshes the
// cookie session (at least 3 times): nothing lost, no reconnect. Then it signs out.
// Prints `web-sign-in: N passed, M failed`; screenshot in artifacts/web-sign-in.png.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadServerEnv, skipOrFail } from "../scripts/lxd-env.mjs";
import { CHROMIUM_ARGS, pageDriver } from "./web-page.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const IDP = "http://127.0.0.1:9999";
const LOGIN = "short-web-sign-in"; // "short…": 5 s access tokens (scripts/idp.mjs)
const SESSION_MS = 60_000;
const started = Date.now();
const log = (line) => console.log(`[web-sign-in] ${line}`);

const { env, why } = loadServerEnv("incus");
if (!env) skipOrFail("web-sign-in", why);
for (const [what, path] of [
  ["chromium", CHROMIUM],
  ["certutil", "/usr/bin/certutil"],
]) {
  if (!existsSync(path)) skipOrFail("web-sign-in", `${what} is not installed (${path}; bash scripts/setup.sh)`);
}
const discovery = await fetch(`${IDP}/.well-known/openid-configuration`).then(
  (r) => (r.ok ? r.json() : undefined),
  () => undefined,
);
if (!discovery) skipOrFail("web-sign-in", `the identity provider does not answer at ${IDP} (bash scripts/idp-up.sh)`);

const build = spawnSync(join(root, "node_modules/.bin/vite"), ["build", "examples/web", "--logLevel", "warn"], {
  cwd: root,
  encoding: "utf8",
});
if (build.status !== 0) {
  console.error(`[web-sign-in] vite build failed:\n${build.stdout}${build.stderr}`);
  console.log("web-sign-in: 0 passed, 1 failed");
  process.exit(1);
}

let passed = 0;
let failed = 0;
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

/** A HOME whose NSS database (Chromium's trust store on Linux) trusts `ca`, or nothing. */
function homeTrusting(ca) {
  const home = mkdtempSync(join(tmpdir(), "lxd-fetch-sign-in-home-"));
  const db = join(home, ".pki/nssdb");
  mkdirSync(db, { recursive: true });
  const certutil = (...args) => {
    const r = spawnSync("certutil", ["-d", `sql:${db}`, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`certutil ${args[0]}: ${r.stderr}`);
  };
  certutil("-N", "--empty-password");
  if (ca) certutil("-A", "-n", "lxd-fetch web test CA", "-t", "C,,", "-i", ca);
  return home;
}

const { chromium } = await import("playwright-core");
const { startSignInServer } = await import("../examples/web/serve-sign-in.mjs");
const { createLxd } = await import("../dist/index.js");
const local = createLxd({ remotes: { s: { socket: env.socket } }, defaultRemote: "s" });
const cleanup = [];
let context;
try {
  const server = await startSignInServer();
  cleanup.push(() => server.stop());
  log(`${server.url} → ${server.incus} (no client certificate), IdP ${IDP}`);
  const home = homeTrusting(server.ca);
  const userDataDir = mkdtempSync(join(tmpdir(), "lxd-fetch-sign-in-chromium-"));
  cleanup.push(
    () => rmSync(home, { recursive: true, force: true }),
    () => rmSync(userDataDir, { recursive: true, force: true }),
  );

  await check("Chromium without the test CA refuses the page: TLS is verified", async () => {
    const bareHome = homeTrusting(undefined);
    const bare = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, HOME: bareHome },
    });
    try {
      const err = await (await bare.newPage()).goto(server.url).then(
        () => undefined,
        (e) => e,
      );
      if (!/ERR_CERT_AUTHORITY_INVALID/.test(String(err?.message)))
        throw new Error(`goto gave ${err ? err.message.split("\n")[0] : "the page"}`);
      return "net::ERR_CERT_AUTHORITY_INVALID";
    } finally {
      await bare.close();
      rmSync(bareHome, { recursive: true, force: true });
    }
  });

  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ["--headless", ...CHROMIUM_ARGS],
    env: { ...process.env, HOME: home },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  await page.addInitScript(() => {
    window.eventStates = [];
    new MutationObserver(() => {
      const s = document.querySelector("#events-status")?.dataset.state;
      if (s && window.eventStates.at(-1) !== s) window.eventStates.push(s);
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
  });
  const { waitText, run, waitStatus } = pageDriver(page);
  /** The session cookies' attributes (their values are read, never printed). */
  const sessionCookies = async () => (await context.cookies(server.origin)).filter((c) => c.name.startsWith("oidc_"));
  const accessExp = async () => {
    const c = (await sessionCookies()).find((x) => x.name === "oidc_access");
    return c ? JSON.parse(Buffer.from(c.value.split(".")[1], "base64url").toString()).exp : undefined;
  };

  await check("without a sign-in the page offers one (Incus: untrusted, oidc offered)", async () => {
    await page.goto(`${server.origin}/`);
    await page.waitForSelector("body[data-auth=signed-out] #sign-in", { timeout: 15_000 });
    if (!page.url().startsWith(server.url)) throw new Error(`landed on ${page.url()}`);
    return await page.locator("#auth").textContent();
  });

  await check("sign in: the IdP's login form filled as the user, consent, back on /ui/ signed in", async () => {
    await page.locator("#sign-in").click();
    for (let step = 0; step < 6 && !page.url().startsWith(server.origin); step++) {
      await page.waitForLoadState();
      if (page.url().startsWith(server.origin)) break;
      if (!page.url().startsWith(IDP)) throw new Error(`the sign-in went to ${page.url().split("?")[0]}`);
      const login = page.locator("input[name=login]");
      if (await login.count()) {
        await login.fill(LOGIN);
        await page.locator("input[name=password]").fill("any password");
      }
      const text = (await page.locator("body").textContent()) ?? "";
      if (!(await page.locator("form button[type=submit]").count())) throw new Error(`the IdP shows no form: ${text.slice(0, 300)}`);
      await Promise.all([page.waitForNavigation(), page.locator("form button[type=submit]").first().click()]);
    }
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    const user = await page.locator("#user").textContent();
    if (user !== LOGIN) throw new Error(`signed in as ${user}`);
    if (!page.url().startsWith(server.url)) throw new Error(`landed on ${page.url()}`);
    return `${user}, at ${new URL(page.url()).pathname}`;
  });

  await check("Incus's session cookies: Secure, SameSite=Strict, Path=/, on the page's host", async () => {
    const cookies = await sessionCookies();
    const names = cookies.map((c) => c.name).sort();
    for (const want of ["oidc_access", "oidc_refresh"]) if (!names.includes(want)) throw new Error(`cookies: ${names.join(", ")}`);
    for (const c of cookies) {
      if (!c.secure || c.sameSite !== "Strict" || c.path !== "/" || c.domain !== "127.0.0.1")
        throw new Error(`${c.name}: ${JSON.stringify({ ...c, value: "…" })}`);
    }
    return names.join(", ");
  });

  await check("operations listed and the events socket live, on the cookie", async () => {
    await page.waitForSelector("#events-status[data-state=live]", { timeout: 10_000 });
    const info = await local.server.info();
    return `${info.environment?.server_version}; ${await page.locator("#operations li").count()} operations shown`;
  });

  let shellOp;
  await check("a shell in the terminal: exec's websockets ride the cookie", async () => {
    await page.locator(`#instances tr[data-instance="${env.container}"] button`).click();
    await page.waitForFunction(() => document.querySelector("#term-title")?.dataset.operation);
    shellOp = await page.locator("#term-title").getAttribute("data-operation");
    await waitStatus(shellOp, "Running");
    await page.locator("#terminal").click();
    const at = await run("echo signed-in-$((40+2))");
    await waitText(/^signed-in-42$/m, { after: at });
    return `operation ${shellOp}`;
  });

  await check(
    `${SESSION_MS / 1000} s with 5 s access tokens: typing, listing and live events cross Incus's refreshes, nothing lost`,
    async () => {
      const exps = new Set([await accessExp()]);
      const end = Date.now() + SESSION_MS;
      let ticks = 0;
      let outside = 0;
      while (Date.now() < end) {
        const n = ticks++;
        const at = await run(`echo tick-${n}-$((${n}*3))`);
        await waitText(new RegExp(`^tick-${n}-${n * 3}$`, "m"), { after: at + 12, timeout: 10_000 });
        await page.evaluate(() => window.lxdWeb.reload());
        if (n % 4 === 0) {
          // An operation from elsewhere (the unix socket) must appear on the page's events socket.
          const r = await local.remote().run(env.container, ["true"]);
          if (r.exitCode !== 0) throw new Error("the outside exec failed");
          outside++;
          await waitStatus(r.operation.id, "Success", 10_000);
        }
        exps.add(await accessExp());
        await page.waitForTimeout(Math.max(0, Math.min(3000, end - Date.now())));
      }
      const text = await page.evaluate(() => window.lxdWeb.terminalText());
      const seen = [...text.matchAll(/^tick-(\d+)-(\d+)$/gm)].map((m) => Number(m[1]));
      if (seen.join() !== Array.from({ length: ticks }, (_, i) => i).join()) throw new Error(`ticks seen ${seen.join(",")} of ${ticks}`);
      const states = await page.evaluate(() => window.eventStates);
      if (states.includes("reconnecting") || states.at(-1) !== "live") throw new Error(`events went ${states.join(" → ")}`);
      const refreshes = exps.size - 1;
      if (refreshes < 3) throw new Error(`the access cookie was renewed ${refreshes} times`);
      if ((await page.locator("body").getAttribute("data-auth")) !== "signed-in") throw new Error("the page was signed out");
      return `${ticks} commands, ${outside} outside execs seen live, ${refreshes} renewals of the access cookie, events ${states.join(" → ")}`;
    },
  );

  await check("exit 0 ends the shell; its operation finishes in the panel", async () => {
    await run("exit 0");
    await page.waitForSelector("#term-exit[data-exit-code]", { timeout: 10_000 });
    await waitStatus(shellOp, "Success");
  });

  mkdirSync(join(root, "artifacts"), { recursive: true });
  await page.screenshot({ path: join(root, "artifacts/web-sign-in.png") });
  log("screenshot: artifacts/web-sign-in.png");

  await check("sign out: /oidc/logout clears the cookies and the page offers the sign-in again", async () => {
    await Promise.all([page.waitForNavigation(), page.locator("#sign-out").click()]);
    await page.waitForSelector("body[data-auth=signed-out] #sign-in", { timeout: 15_000 });
    const left = (await sessionCookies()).map((c) => c.name);
    if (left.length) throw new Error(`cookies left: ${left.join(", ")}`);
  });

  if (pageErrors.length) {
    failed++;
    log(`FAIL page errors: ${pageErrors.join("; ")}`);
  }
} catch (err) {
  failed++;
  console.error(`[web-sign-in] ${err instanceof Error ? err.stack : err}`);
} finally {
  await context?.close().catch(() => undefined);
  for (const f of cleanup.reverse()) await f();
  await local.close();
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`web-sign-in: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
