#!/usr/bin/env node
// Whole-process start-up of the CLI against `lxc`, same machine, same daemon, same container,
// in one run: `lxd-fetch exec <c> -- true` vs `lxc exec <c> -- true`, and `operations list` vs
// `lxc operation list`, each run alternately; prints the median wall time, the median peak RSS
// and the ratios (goal ≤ 1.5× time, ≤ 60 MiB). `node -e 0` is measured too: the floor any
// Node program starts from. Peak RSS comes from GNU time (Debian package `time`).
//   npm run bench:cli [-- --runs 30] [--cli other/dist/cli.js]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { lxdEnv, median } from "./env.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 30;
const env = lxdEnv();
// --cli <path>: another build of the CLI (e.g. an older commit's dist/cli.js) in the same seat.
const cliArg = process.argv.indexOf("--cli");
const cli = cliArg > 0 ? process.argv[cliArg + 1] : new URL("../dist/cli.js", import.meta.url).pathname;
if (!existsSync("/usr/bin/time")) throw new Error("bench/cli: needs GNU time (apt-get install time)");
if (spawnSync("lxc", ["--version"]).status !== 0) throw new Error("bench/cli: needs lxc (scripts/lxd-up.sh installs it)");

const c = env.container;
const pairs = [
  ["exec -- true", [process.execPath, cli, "exec", c, "--", "true"], ["lxc", "exec", c, "--", "true"]],
  ["operations list", [process.execPath, cli, "operations", "list"], ["lxc", "operation", "list"]],
];
const floor = [process.execPath, "-e", "0"];

// LXD 5.0.2 now and then closes an exec output socket without its end-of-stream frame, which
// lxd-fetch reports (ExecOutputError, docs/exec.md); such runs are counted, not timed.
const OUTPUT_LOSS = /without end-of-stream/;
let losses = 0;

/** One run: wall ms and peak RSS KiB, or undefined for LXD's output loss; other failures throw. */
function measure(argv) {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t;
  if (r.status !== 0 && OUTPUT_LOSS.test(r.stderr)) return void losses++;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, kib: Number(r.stderr.trim().split("\n").at(-1)) };
}

const mib = (kib) => (kib / 1024).toFixed(1);

for (const argv of [floor, ...pairs.flatMap(([, a, b]) => [a, b])]) measure(argv); // warm caches
console.log(`${runs} runs each, alternating; median wall time and median peak RSS (Node ${process.version})`);
const nodeFloor = { ms: [], kib: [] };
for (const [name, ours, lxc] of pairs) {
  const s = { ours: { ms: [], kib: [] }, lxc: { ms: [], kib: [] } };
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither side always runs second.
    const order =
      i % 2
        ? [
            ["lxc", lxc],
            ["ours", ours],
            ["floor", floor],
          ]
        : [
            ["ours", ours],
            ["floor", floor],
            ["lxc", lxc],
          ];
    for (const [k, argv] of order) {
      const m = measure(argv);
      if (!m) continue;
      const bucket = k === "floor" ? nodeFloor : s[k];
      bucket.ms.push(m.ms);
      bucket.kib.push(m.kib);
    }
  }
  const o = { ms: median(s.ours.ms), kib: median(s.ours.kib) };
  const l = { ms: median(s.lxc.ms), kib: median(s.lxc.kib) };
  console.log(
    `${name.padEnd(16)} lxd-fetch ${o.ms.toFixed(0).padStart(4)} ms ${mib(o.kib).padStart(5)} MiB | lxc ${l.ms.toFixed(0).padStart(4)} ms ${mib(l.kib).padStart(5)} MiB | ratio time ${(o.ms / l.ms).toFixed(2)}× (goal ≤ 1.5), RSS ${(o.kib / l.kib).toFixed(2)}×, peak ${o.kib <= 60 * 1024 ? "≤" : ">"} 60 MiB`,
  );
}
const f = { ms: median(nodeFloor.ms), kib: median(nodeFloor.kib) };
console.log(
  `${"node -e 0".padEnd(16)} ${f.ms.toFixed(0).padStart(4)} ms ${mib(f.kib).padStart(5)} MiB (the runtime alone: no Node CLI gets below this)`,
);
if (losses) console.log(`LXD output loss (ExecOutputError): ${losses} run(s), not timed`);
