#!/usr/bin/env node
// The browser suite: real Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// loads a page that nginx serves on 127.0.0.1 together with LXD's API (/1.0, reverse-proxied
// with the client certificate: browser/nginx.conf), so the page is same-origin with the API.
// The page imports dist/browser.js (the "browser" export condition's entry) and runs the
// same operations and exec cases as the server runtimes; this script reads the results
// back, asserts them, and prints `browser: N passed, M failed`.
// nginx runs from a temporary folder (nginx -c <conf> -p <prefix>) and is stopped at the end.
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLxdEnv, skipOrFail } from "../scripts/lxd-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const here = join(root, "test-runtimes");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
const started = Date.now();
const log = (line) => console.log(`[browser] ${line}`);

const { kv, env, why } = loadLxdEnv();
if (!env) skipOrFail("browser", why);
for (const [what, path] of [["chromium", CHROMIUM], ["nginx", NGINX]]) {
  if (!existsSync(path)) skipOrFail("browser", `${what} is not installed (${path}; apt-get install -y nginx chromium)`);
}
if (!existsSync(join(root, "dist/browser.js"))) skipOrFail("browser", "dist/browser.js is missing: build first (npm run build)");

/** A DNS name from LXD's certificate for proxy_ssl_name (nginx does not match IP SANs). */
function certDnsName(pem) {
  const san = new X509Certificate(pem).subjectAltName ?? "";
  return san.split(", ").find((s) => s.startsWith("DNS:"))?.slice(4) ?? hostname();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

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

const lxdUrl = new URL(env.httpsUrl);
const template = readFileSync(join(here, "browser/nginx.conf"), "utf8");

/**
 * Starts nginx from a new folder (its config, logs, temp files and the page, world-readable, as
 * nginx's workers drop root privileges when the master runs as root). `trusted` is the file
 * nginx verifies LXD's certificate against.
 */
async function startNginx(trusted) {
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
    CLIENT_CERT: kv.LXD_CLIENT_CERT,
    CLIENT_KEY: kv.LXD_CLIENT_KEY,
    SERVER_CERT: trusted,
    SSL_NAME: certDnsName(env.serverCert),
  };
  const conf = join(prefix, "nginx.conf");
  writeFileSync(conf, template.replace(/@([A-Z_]+)@/g, (_, k) => values[k]));
  const args = ["-c", conf, "-p", prefix, "-e", join(prefix, "error.log")];
  const check = spawnSync(NGINX, ["-t", "-q", ...args], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  const child = spawn(NGINX, args, { stdio: ["ignore", "inherit", "inherit"] });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM"); // fast shutdown: the master stops its workers
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${origin}/index.html`, child, 10_000);
  } catch (err) {
    const errors = existsSync(join(prefix, "error.log")) ? readFileSync(join(prefix, "error.log"), "utf8") : "";
    await stop();
    throw new Error(`${err.message}\n${errors}`);
  }
  return { origin, sslName: values.SSL_NAME, prefix, stop };
}

let nginx;
let browser;
let exitCode = 1;
try {
  nginx = await startNginx(kv.LXD_SERVER_CERT);
  const { origin } = nginx;
  log(`nginx ${origin} → ${lxdUrl.host} (proxy_ssl_name ${nginx.sslName}), prefix ${nginx.prefix}`);

  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error") pageErrors.push(msg.text());
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.lxdSuiteReady === true, null, { timeout: 15_000 }).catch((err) => {
    throw new Error(`the page did not load its modules: ${pageErrors.join("; ") || err.message}`);
  });
  const result = await page.evaluate((container) => window.runLxdSuite(container), env.container);
  log(`${result.userAgent}`);
  for (const line of result.lines) log(line);

  // Read the results back and check the values themselves, not only the page's verdicts.
  const byName = (prefixText) => result.results.find((r) => r.name.startsWith(prefixText));
  const checks = [
    ["page origin is nginx's, same-origin with /1.0", () => byName("the browser bundle")?.value?.origin === origin],
    ["operations.list value read back is LXD's status map", () => {
      const v = byName("same-origin: operations.list")?.value;
      return v && typeof v === "object" && Object.values(v).every((l) => Array.isArray(l));
    }],
    ["exec value read back: out/err/3", () => {
      const v = byName("same-origin: exec: stdout")?.value;
      return v?.exitCode === 3 && v?.stdout === "out\n" && v?.stderr === "err\n";
    }],
    ["cat value read back: hello/0", () => {
      const v = byName("same-origin: exec: cat")?.value;
      return v?.exitCode === 0 && v?.stdout === "hello\n";
    }],
  ];
  let passed = result.passed;
  let failed = result.failed;
  for (const [name, ok] of checks) {
    if (ok()) {
      passed++;
      log(`ok   driver: ${name}`);
    } else {
      failed++;
      log(`FAIL driver: ${name}`);
    }
  }
  // The proxy verifies LXD: the same config trusting another CA must not reach it.
  const wrongCa = await startNginx(kv.LXD_OTHER_CA);
  try {
    const r = await fetch(`${wrongCa.origin}/1.0`);
    await r.arrayBuffer();
    if (r.status === 502) {
      passed++;
      log("ok   driver: nginx trusting another CA answers 502, never LXD's data");
    } else {
      failed++;
      log(`FAIL driver: nginx trusting another CA answered ${r.status}`);
    }
  } finally {
    await wrongCa.stop();
  }
  if (pageErrors.length) log(`page errors: ${pageErrors.join("; ")}`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  exitCode = failed > 0 ? 1 : 0;
} catch (err) {
  console.error(`[browser] ${err instanceof Error ? err.stack : err}`);
  console.log("browser: 0 passed, 1 failed");
} finally {
  await browser?.close().catch(() => undefined);
  await nginx?.stop();
}
process.exit(exitCode);
