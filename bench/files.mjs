#!/usr/bin/env node
// File transfer through lxd-fetch's CLI (the library's files.push/pull, streamed) against
// `lxc file push/pull`, each as its own process under GNU time (wall time, peak RSS), in the same
// run, over LXD's unix socket, into the test container under /root/lfb-bench-*. Two sizes show
// whether memory stays flat: peak RSS at 64 MiB and at 1 GiB should be the same. Every copy is
// checked: sha256 of the pulled file, and sha256sum inside the container, equal to the source's.
//
//   npm run build && node bench/files.mjs [--sizes 64,1024] (MiB) [--instance NAME]
//
// --instance: a running instance of your own (default: the shared test container), so that
// other suites stopping or restarting the shared one cannot break the run.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { once } from "node:events";
import { lxdEnv } from "./env.mjs";

const env = lxdEnv();
const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
if (!existsSync(CLI)) throw new Error("bench/files: dist/cli.js is missing (npx tsup)");
if (!existsSync("/usr/bin/time")) throw new Error("bench/files: needs GNU time (apt-get install time)");
const sizesArg = process.argv.indexOf("--sizes");
const SIZES = (sizesArg > 0 ? process.argv[sizesArg + 1] : "64,1024").split(",").map(Number);
const instanceArg = process.argv.indexOf("--instance");
const C = instanceArg > 0 ? process.argv[instanceArg + 1] : env.container;
const ENV = { ...process.env, LXD_DIR: dirname(env.socket), LXD_CONF: mkdtempSync(join(tmpdir(), "lfb-bench-conf-")) };
const work = mkdtempSync(join(tmpdir(), "lfb-bench-"));
const remoteDir = `/root/lfb-bench-${process.pid}`;

/** Runs argv under GNU time: seconds and peak RSS in MiB. */
function timed(argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { env: ENV, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const last = r.stderr.trim().split("\n").at(-1);
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  const [s, kb] = last.split(" ").map(Number);
  return { s, mib: kb / 1024 };
}

async function makeFile(path, mib) {
  const h = createHash("sha256");
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i++) {
    const chunk = randomBytes(1 << 20);
    h.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return h.digest("hex");
}

async function sha256File(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest("hex");
}

function inContainer(...command) {
  const r = spawnSync("lxc", ["exec", C, "--", ...command], { env: ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`lxc exec ${command.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const rows = [];
try {
  inContainer("mkdir", "-p", remoteDir);
  for (const mib of SIZES) {
    const src = join(work, `src-${mib}.bin`);
    const want = await makeFile(src, mib);
    const tools = {
      "lxd-fetch": {
        push: (dst) => [process.execPath, CLI, "file", "push", src, `${C}${dst}`],
        pull: (from, dst) => [process.execPath, CLI, "file", "pull", `${C}${from}`, dst],
      },
      lxc: {
        push: (dst) => ["lxc", "file", "push", src, `${C}${dst}`],
        pull: (from, dst) => ["lxc", "file", "pull", `${C}${from}`, dst],
      },
    };
    for (const [tool, t] of Object.entries(tools)) {
      const remote = `${remoteDir}/${tool}-${mib}.bin`;
      const local = join(work, `pulled-${tool}-${mib}.bin`);
      const push = timed(t.push(remote));
      const inside = inContainer("sha256sum", remote).split(" ")[0];
      const pull = timed(t.pull(remote, local));
      const pulled = await sha256File(local);
      if (inside !== want || pulled !== want)
        throw new Error(`${tool} ${mib} MiB: sha256 differs (inside ${inside}, pulled ${pulled}, source ${want})`);
      rows.push({ tool, mib, push, pull });
      rmSync(local);
      inContainer("rm", "-f", remote);
    }
    rmSync(src);
  }
} finally {
  spawnSync("lxc", ["exec", C, "--", "rm", "-rf", remoteDir], { env: ENV });
  rmSync(work, { recursive: true, force: true });
  rmSync(ENV.LXD_CONF, { recursive: true, force: true });
}

const f = (x) => `${x.s.toFixed(2)} s, ${x.mib.toFixed(1)} MiB`;
console.log(`file push/pull over the unix socket, ${C} (${env.label}); sha256 checked for every copy`);
console.log("| size | tool | push | pull |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.mib} MiB | ${r.tool} | ${f(r.push)} | ${f(r.pull)} |`);
for (const mib of SIZES) {
  const [a, b] = ["lxd-fetch", "lxc"].map((t) => rows.find((r) => r.tool === t && r.mib === mib));
  const ratio = (k) => `${(a[k].s / b[k].s).toFixed(2)}× time, ${(a[k].mib / b[k].mib).toFixed(2)}× RSS`;
  console.log(`${mib} MiB, lxd-fetch / lxc: push ${ratio("push")}; pull ${ratio("pull")}`);
}
