#!/usr/bin/env node
// The browser suite: real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// loads a page that nginx serves on 127.0.0.1 together with the server's API (/1.0,
// reverse-proxied with the client certificate: browser/nginx.conf), so the page is same-origin
// with the API; once for LXD and once for Incus, each through its own nginx.
// The page imports dist/browser.js (the "browser" export condition's entry) and runs the
// same operations and exec cases as the server runtimes; this script reads the results
// back, asserts them, and prints `browser: N passed, M failed`.
// nginx runs from a temporary folder (nginx -c <conf> -p <prefix>) and is stopped at the end.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { certDnsName, freePort, NGINX, runNginx } from "../scripts/nginx.mjs";
import { loadServers, skipOrFail } from "../scripts/lxd-env.mjs";
import { CHROMIUM_ARGS } from "./web-page.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const here = join(root, "test-runtimes");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const started = Date.now();
const log = (line) => console.log(`[browser] ${line}`);

// One run per server (LXD 5.0.2, Incus 6.0.4), each through its own nginx: the page's `local`
// is its origin, so a second upstream is a second origin. A missing server fails under CI=true.
const servers = loadServers();
const available = servers.filter((s) => s.env);
const missingServers = servers.filter((s) => !s.env);
if (missingServers.length && (process.env.CI === "true" || !available.length))
  skipOrFail("browser", missingServers.map((s) => s.why).join("; "));
for (const s of missingServers) log(`${s.server.name} skipped: ${s.why}`);
for (const [what, path] of [
  ["chromium", CHROMIUM],
  ["nginx", NGINX],
]) {
  if (!existsSync(path)) skipOrFail("browser", `${what} is not installed (${path}; apt-get install -y nginx chromium)`);
}
if (!existsSync(join(root, "dist/browser.js"))) skipOrFail("browser", "dist/browser.js is missing: build first (npm run build)");

async function waitForHttp(url, child, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not answer ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const template = readFileSync(join(here, "browser/nginx.conf"), "utf8");

/**
 * Starts nginx from a new folder (its config, logs, temp files and the page, world-readable, as
 * nginx's workers drop root privileges when the master runs as root). `trusted` is the file
 * nginx verifies LXD's certificate against.
 */
async function startNginx(env, trusted) {
  const lxdUrl = new URL(env.httpsUrl);
  const prefix = mkdtempSync(join(tmpdir(), "lxd-fetch-nginx-"));
  chmodSync(prefix, 0o755);
  const www = join(prefix, "www");
  mkdirSync(www);
  mkdirSync(join(prefix, "tmp"));
  copyFileSync(join(here, "browser/index.html"), join(www, "index.html"));
  copyFileSync(join(here, "cases.mjs"), join(www, "cases.mjs"));
  copyFileSync(join(root, "dist/browser.js"), join(www, "browser.js"));
  if (existsSync(join(root, "dist/browser.js.map"))) copyFileSync(join(root, "dist/browser.js.map"), join(www, "browser.js.map"));
  const port = await freePort();
  const values = {
    PREFIX: prefix,
    PORT: String(port),
    LXD_HOSTPORT: lxdUrl.host,
    CLIENT_CERT: env.files.clientCert,
    CLIENT_KEY: env.files.clientKey,
    SERVER_CERT: trusted,
    SSL_NAME: certDnsName(env.serverCert),
  };
  const conf = join(prefix, "nginx.conf");
  writeFileSync(
    conf,
    template.replace(/@([A-Z_]+)@/g, (_, k) => values[k]),
  );
  const { child, stop } = runNginx(conf, prefix);
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/index.html`, child, 10_000);
  } catch (err) {
    const errors = existsSync(join(prefix, "error.log")) ? readFileSync(join(prefix, "error.log"), "utf8") : "";
    await stop();
    throw new Error(`${err.message}\n${errors}`);
  }
  return { origin, upstream: lxdUrl.host, sslName: values.SSL_NAME, prefix, stop };
}

/** The page's run against one server through its own nginx; resolves with { passed, failed }. */
async function runServer(browser, { server, env }) {
  const tag = `[${server.id}]`;
  const nginx = await startNginx(env, env.files.serverCert);
  try {
    const { origin } = nginx;
    log(`${tag} ${env.label}: nginx ${origin} → ${nginx.upstream} (proxy_ssl_name ${nginx.sslName}), prefix ${nginx.prefix}`);
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(msg.text());
    });
    await page.goto(`${origin}/`);
    await page
      .waitForFunction(() => window.lxdSuiteReady === true, null, { timeout: 15_000 })
      .catch((err) => {
        throw new Error(`the page did not load its modules: ${pageErrors.join("; ") || err.message}`);
      });
    const result = await page.evaluate((container) => window.runLxdSuite(container), env.container);
    log(`${tag} ${result.userAgent}`);
    for (const line of result.lines) log(`${tag} ${line}`);

    // Read the results back and check the values themselves, not only the page's verdicts.
    const byName = (prefixText) => result.results.find((r) => r.name.startsWith(prefixText));
    const checks = [
      ["page origin is nginx's, same-origin with /1.0", () => byName("the browser bundle")?.value?.origin === origin],
      [`the server behind the origin is ${server.name}`, () => byName("same-origin: server.info")?.value === server.id],
      [
        "operations.list value read back is the server's status map",
        () => {
          const v = byName("same-origin: operations.list")?.value;
          return v && typeof v === "object" && Object.values(v).every((l) => Array.isArray(l));
        },
      ],
      [
        "exec value read back: out/err/3, streamed and recorded",
        () => {
          const v = byName("same-origin: exec: stdout")?.value;
          return ["stream", "record"].every(
            (path) => v?.[path]?.output === path && v[path].exitCode === 3 && v[path].stdout === "out\n" && v[path].stderr === "err\n",
          );
        },
      ],
      [
        "cat value read back: hello/0",
        () => {
          const v = byName("same-origin: exec: cat")?.value;
          return v?.exitCode === 0 && v?.stdout === "hello\n";
        },
      ],
    ];
    let passed = result.passed;
    let failed = result.failed;
    for (const [name, ok] of checks) {
      if (ok()) {
        passed++;
        log(`${tag} ok   driver: ${name}`);
      } else {
        failed++;
        log(`${tag} FAIL driver: ${name}`);
      }
    }
    // The proxy verifies the server: the same config trusting another CA must not reach it.
    const wrongCa = await startNginx(env, env.files.otherCa);
    try {
      const r = await fetch(`${wrongCa.origin}/1.0`);
      await r.arrayBuffer();
      if (r.status === 502) {
        passed++;
        log(`${tag} ok   driver: nginx trusting another CA answers 502, never the server's data`);
      } else {
        failed++;
        log(`${tag} FAIL driver: nginx trusting another CA answered ${r.status}`);
      }
    } finally {
      await wrongCa.stop();
    }
    if (pageErrors.length) log(`${tag} page errors: ${pageErrors.join("; ")}`);
    await page.close();
    return { passed, failed };
  } finally {
    await nginx.stop();
  }
}

let browser;
let exitCode = 1;
try {
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  let passed = 0;
  let failed = 0;
  for (const s of available) {
    try {
      const r = await runServer(browser, s);
      passed += r.passed;
      failed += r.failed;
    } catch (err) {
      console.error(`[browser] [${s.server.id}] ${err instanceof Error ? err.stack : err}`);
      failed++;
    }
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  exitCode = failed > 0 ? 1 : 0;
} catch (err) {
  console.error(`[browser] ${err instanceof Error ? err.stack : err}`);
  console.log("browser: 0 passed, 1 failed");
} finally {
  await browser?.close().catch(() => undefined);
}
process.exit(exitCode);
