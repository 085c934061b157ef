#!/usr/bin/env node
// Runs the real-LXD runtime suites: `node test-runtimes/run.mjs [target ...]`, targets
// node20 (this Node), node22, node24 (from the npm registry through npx), deno, bun (the
// pinned devDependencies), browser (Chromium + nginx, see browser.mjs), web (the web example
// in Chromium, see web.mjs) and web-virtual (the web example on the virtual LXD in the page, see
// web-virtual.mjs; it needs no LXD). Default: all.
// Needs the build (dist/); the package.json scripts run tsup first.
// Without LXD (.lxd-test/lxd.env or its socket missing) the targets that need it skip with one
// line, except under CI=true, where that is a failure. It ends with `runtimes: N passed, M failed` and writes
// the per-target counts and timings to .runtime-results.json.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLxdEnv } from "../scripts/lxd-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const ALL = ["node20", "node22", "node24", "deno", "bun", "browser", "web", "web-virtual"];
/** Targets that run without a real LXD. */
const NO_LXD = new Set(["web-virtual"]);
// Exact versions, so a run is repeatable (npx caches them after the first download).
const NODE_VERSIONS = { node22: "22.23.3", node24: "24.21.0" };
const TARGET_TIMEOUT_MS = 10 * 60_000;

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = targets.filter((t) => !ALL.includes(t));
if (unknown.length) {
  console.error(`unknown target(s) ${unknown.join(", ")}; known: ${ALL.join(", ")}`);
  process.exit(2);
}

const { kv, why } = loadLxdEnv();
const needLxd = targets.filter((t) => !NO_LXD.has(t));
if (!kv && needLxd.length) {
  if (process.env.CI === "true") {
    console.error(`runtime suites: real LXD unavailable under CI: ${why}`);
    console.log(`runtimes: 0 passed, ${targets.length} failed`);
    process.exit(1);
  }
  console.log(`[lxd-fetch] runtime suites (${needLxd.join(", ")}) skipped: ${why}`);
  if (needLxd.length === targets.length) process.exit(0);
}
const runnable = kv ? targets : targets.filter((t) => NO_LXD.has(t));
for (const entry of ["dist/index.js", "dist/deno.js", "dist/bun.js", "dist/browser.js", "dist/mock.js"]) {
  if (!existsSync(join(root, entry))) {
    console.error(`${entry} is missing: build first (npm run build)`);
    process.exit(1);
  }
}

const bin = (name) => join(root, "node_modules/.bin", name);
const suite = "test-runtimes/suite.mjs";

/** Deno runs with the least permissions the suite needs, which the README lists too. */
function denoArgs() {
  const socket = kv.LXD_SOCKET;
  const https = new URL(kv.LXD_HTTPS_URL);
  const files = ["LXD_SERVER_CERT", "LXD_CLIENT_CERT", "LXD_CLIENT_KEY", "LXD_UNTRUSTED_CERT", "LXD_UNTRUSTED_KEY", "LXD_OTHER_CA"];
  // The failure cases' missing socket and closed port are allowed too, so they fail as in the
  // other runtimes (ENOENT, ECONNREFUSED) rather than on a permission check.
  const missing = "/nonexistent/lxd-fetch-test.socket";
  const read = [...new Set([root.replace(/\/$/, ""), socket, "/var/lib/lxd/unix.socket", missing, ...files.map((k) => dirname(kv[k]))])];
  const net = [https.host, `localhost:${https.port || 443}`, `unix:${socket}`, "127.0.0.1:80", `unix:${missing}`, "127.0.0.1:2"];
  return [
    "run",
    "--no-lock",
    `--allow-read=${read.join(",")}`,
    `--allow-write=${socket},${missing}`,
    `--allow-net=${net.join(",")}`,
    "--allow-env=LXD_DIR,CI",
    suite,
  ];
}

const commands = {
  node20: () => [process.execPath, [suite]],
  node22: () => ["npx", ["-y", "-p", `node@${NODE_VERSIONS.node22}`, "-c", `node ${suite}`]],
  node24: () => ["npx", ["-y", "-p", `node@${NODE_VERSIONS.node24}`, "-c", `node ${suite}`]],
  deno: () => [bin("deno"), denoArgs()],
  bun: () => [bin("bun"), [suite]],
  browser: () => [process.execPath, ["test-runtimes/browser.mjs"]],
  web: () => [process.execPath, ["test-runtimes/web.mjs"]],
  "web-virtual": () => [process.execPath, ["test-runtimes/web-virtual.mjs"]],
};

/** Runs one target, echoing its output, and reads its closing `label: N passed, M failed` line. */
function runTarget(target) {
  const [cmd, args] = commands[target]();
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so a timeout ends npx and the runtime under it
    });
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
      process.stdout.write(b);
    });
    child.stderr.on("data", (b) => process.stderr.write(b));
    const timer = setTimeout(() => {
      console.error(`${target}: no result after ${TARGET_TIMEOUT_MS / 1000} s, stopping it`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, TARGET_TIMEOUT_MS);
    const finish = (code, error) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const lines = [...out.matchAll(/^(\S+): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)];
      const last = lines.at(-1);
      const skipped = /^\[lxd-fetch\] .* skipped: /m.test(out) && !last;
      if (skipped) return resolve({ target, passed: 0, failed: 0, skipped: true, seconds });
      const passed = last ? Number(last[2]) : 0;
      // No closing line, or a non-zero exit with all passing, still counts as a failure.
      const failed = last ? Number(last[3]) + (code !== 0 && Number(last[3]) === 0 ? 1 : 0) : 1;
      if (!last) console.error(`${target}: ended (${error ?? `exit code ${code}`}) without a result line`);
      resolve({ target, passed, failed, seconds });
    };
    child.on("error", (err) => finish(-1, err.message));
    child.on("close", (code) => finish(code));
  });
}

const results = [];
for (const target of runnable) results.push(await runTarget(target));
for (const target of targets.filter((t) => !runnable.includes(t))) results.push({ target, passed: 0, failed: 0, skipped: true, seconds: 0 });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const summary = results
  .map((r) => `${r.target} ${r.skipped ? "skipped" : `${r.passed}/${r.passed + r.failed}`} in ${r.seconds.toFixed(1)} s`)
  .join(", ");
writeFileSync(join(root, ".runtime-results.json"), JSON.stringify({ passed, failed, targets: results }, null, 2) + "\n");
console.log(`runtime suites: ${summary}`);
console.log(`runtimes: ${passed} passed, ${failed} failed`);
const allSkipped = results.every((r) => r.skipped);
process.exit(failed > 0 || (passed === 0 && !allSkipped) ? 1 : 0);
