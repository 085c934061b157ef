#!/usr/bin/env node
// Runs the real-LXD runtime suites: `node test-runtimes/run.mjs [target ...]`, targets
// node20 (this Node), node22, node24 (from the npm registry through npx), deno, bun (the
// pinned devDependencies), browser (Chromium + nginx, see browser.mjs), web (the web example
// in Chromium, see web.mjs), web-virtual (the web example on the virtual LXD in the page, see
// web-virtual.mjs; it needs no LXD) and web-sign-in (the web example signed in with Incus's OIDC
// flow in Chromium, no client certificate; about 90 s, see web-sign-in.mjs). Default: all.
// Needs the build (dist/); the package.json scripts run tsup first.
// Each suite runs against LXD and Incus (.lxd-test/lxd.env). Without either, the targets that
// need a server skip with one line, except under CI=true, where a missing server is a failure.
// It ends with `runtimes: N passed, M failed` and writes
// the per-target counts and timings to .runtime-results.json.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadServers } from "../scripts/lxd-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const ALL = ["node20", "node22", "node24", "deno", "bun", "browser", "web", "web-virtual", "web-sign-in"];
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

// Each suite runs against every server there is (LXD 5.0.2, Incus 6.0.4); a missing one fails
// under CI=true (in the suites), and without any the targets that need one skip locally.
const servers = loadServers();
const available = servers.filter((s) => s.env);
const needServer = targets.filter((t) => !NO_LXD.has(t));
if (!available.length && needServer.length) {
  const why = servers.map((s) => s.why).join("; ");
  if (process.env.CI === "true") {
    console.error(`runtime suites: real servers unavailable under CI: ${why}`);
    console.log(`runtimes: 0 passed, ${targets.length} failed`);
    process.exit(1);
  }
  console.log(`[lxd-fetch] runtime suites (${needServer.join(", ")}) skipped: ${why}`);
  if (needServer.length === targets.length) process.exit(0);
}
const runnable = available.length ? targets : targets.filter((t) => NO_LXD.has(t));
for (const entry of ["dist/index.js", "dist/deno.js", "dist/bun.js", "dist/browser.js", "dist/mock.js"]) {
  if (!existsSync(join(root, entry))) {
    console.error(`${entry} is missing: build first (npm run build)`);
    process.exit(1);
  }
}

const bin = (name) => join(root, "node_modules/.bin", name);
const suite = "test-runtimes/suite.mjs";

/** Deno runs with the least permissions the suite needs, which docs/runtimes.md lists too. */
function denoArgs() {
  const sockets = available.map((s) => s.env.socket);
  // The failure cases' missing socket and closed port are allowed too, so they fail as in the
  // other runtimes (ENOENT, ECONNREFUSED) rather than on a permission check.
  const missing = "/nonexistent/lxd-fetch-test.socket";
  const dirs = available.flatMap((s) => Object.values(s.env.files).map((f) => dirname(f)));
  const read = [...new Set([root.replace(/\/$/, ""), ...sockets, "/var/lib/lxd/unix.socket", missing, ...dirs])];
  const net = [
    ...available.flatMap((s) => {
      const https = new URL(s.env.httpsUrl);
      return [https.host, `localhost:${https.port || 443}`, `unix:${s.env.socket}`];
    }),
    "127.0.0.1:80",
    "127.0.0.1:9999", // the OIDC identity provider (scripts/idp-up.sh)
    `unix:${missing}`,
    "127.0.0.1:2",
  ];
  return [
    "run",
    "--no-lock",
    `--allow-read=${read.join(",")}`,
    `--allow-write=${[...sockets, missing].join(",")}`,
    `--allow-net=${[...new Set(net)].join(",")}`,
    "--allow-env=LXD_DIR,INCUS_SOCKET,INCUS_DIR,CI",
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
  "web-sign-in": () => [process.execPath, ["test-runtimes/web-sign-in.mjs"]],
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
      // Per server, from the case lines: "[node20] ok   [incus] ..." or "[browser] [incus] ok   ...".
      const servers = {};
      for (const m of out.matchAll(/^\[\S+\] (?:\[(\w+)\] (ok {2}|FAIL)|(ok {2}|FAIL) \[(\w+)\])/gm)) {
        const server = m[1] ?? m[4];
        const ok = (m[2] ?? m[3]) === "ok  ";
        servers[server] ??= { passed: 0, failed: 0 };
        servers[server][ok ? "passed" : "failed"]++;
      }
      if (skipped) return resolve({ target, passed: 0, failed: 0, skipped: true, seconds, servers });
      const passed = last ? Number(last[2]) : 0;
      // No closing line, or a non-zero exit with all passing, still counts as a failure.
      const failed = last ? Number(last[3]) + (code !== 0 && Number(last[3]) === 0 ? 1 : 0) : 1;
      if (!last) console.error(`${target}: ended (${error ?? `exit code ${code}`}) without a result line`);
      resolve({ target, passed, failed, seconds, servers });
    };
    child.on("error", (err) => finish(-1, err.message));
    child.on("close", (code) => finish(code));
  });
}

// Two lanes side by side, each target in a lane after the other: the Chromium suites beside the
// server runtimes (none of them creates or stops an instance, and each takes a free port), then,
// alone: web, which restarts LXD (the page's reconnect; the runtimes beside it failed with
// "database is closed"). web-sign-in's 60 s session used to end beside the runtimes: their
// events made the page queue instance lists in Chromium past the cookie's expiry (docs/oidc.md,
// "In a web page"); the page now lists one at a time.
const ALONE = new Set(["web"]);
const BESIDE = new Set(["browser", "web-virtual", "web-sign-in"]);
const lanes = [runnable.filter((t) => BESIDE.has(t)), runnable.filter((t) => !BESIDE.has(t) && !ALONE.has(t))];
const ran = new Map();
await Promise.all(
  lanes.map(async (lane) => {
    for (const target of lane) ran.set(target, await runTarget(target));
  }),
);
for (const target of runnable.filter((t) => ALONE.has(t))) ran.set(target, await runTarget(target));
const results = targets.map((target) => ran.get(target) ?? { target, passed: 0, failed: 0, skipped: true, seconds: 0 });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const summary = results
  .map((r) => {
    const per = Object.entries(r.servers ?? {})
      .map(([s, c]) => `${s} ${c.passed}/${c.passed + c.failed}`)
      .join(", ");
    return `${r.target} ${r.skipped ? "skipped" : `${r.passed}/${r.passed + r.failed}`}${per ? ` (${per})` : ""} in ${r.seconds.toFixed(1)} s`;
  })
  .join(", ");
writeFileSync(join(root, ".runtime-results.json"), `${JSON.stringify({ passed, failed, targets: results }, null, 2)}\n`);
console.log(`runtime suites: ${summary}`);
console.log(`runtimes: ${passed} passed, ${failed} failed`);
const allSkipped = results.every((r) => r.skipped);
process.exit(failed > 0 || (passed === 0 && !allSkipped) ? 1 : 0);
