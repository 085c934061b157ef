#!/usr/bin/env node
// Whole-process start-up of the CLI against `lxc`, same machine, same daemon, same container,
// in one run: `exec <c> -- true` vs `lxc exec <c> -- true`, and `operations list` vs
// `lxc operation list`, each run alternately, for each way the CLI is started:
//   installed  the compiled CLI, which is what `lxd-fetch` is once npm installed it
//              (bin/install.cjs links it over the launcher; npm run build:binary builds it)
//   launcher   `node bin/lxd-fetch.cjs`: the bin where install scripts did not run; it starts
//              the compiled CLI from Node
//   node       `node dist/cli.js`: the CLI in Node, everywhere Node 20.19+ runs
// Prints the median wall time, the median peak RSS and the ratios to `lxc` of each repetition
// (goal ≤ 1.5× time, ≤ 32 MiB), and the median CPU time (user + system): on a shared machine the
// wall time follows the load, the CPU time much less. `node -e 0` is measured too: the floor any Node program starts
// from. Peak RSS comes from GNU time (Debian package `time`); for the launcher it is the larger
// of the two processes.
//   npm run bench:cli [-- --runs 15] [--repeat 3] [--cli other/dist/cli.js] [--binary path] [--container c]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { lxdEnv, median } from "./env.mjs";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg("--runs")) || 15;
const repeat = Number(arg("--repeat")) || 3;
const root = new URL("..", import.meta.url).pathname;
// --cli <path>: another build of the CLI (e.g. an older commit's dist/cli.js) in the same seat.
const cli = arg("--cli") ?? `${root}dist/cli.js`;
const binary = arg("--binary") ?? `${root}binaries/lxd-fetch-${process.platform}-${process.arch}/bin/lxd-fetch`;
const launcher = `${root}bin/lxd-fetch.cjs`;
if (!existsSync("/usr/bin/time")) throw new Error("bench/cli: needs GNU time (apt-get install time)");
if (spawnSync("lxc", ["--version"]).status !== 0) throw new Error("bench/cli: needs lxc (scripts/lxd-up.sh installs it)");
if (!existsSync(binary)) throw new Error(`bench/cli: no compiled CLI at ${binary} (npm run build:binary)`);

const GOAL_TIME = 1.5;
const GOAL_MIB = 32;
// --container: an instance of lxc's default remote, without .lxd-test (scripts/lxd-up.sh).
const c = arg("--container") ?? lxdEnv().container;
const commands = [
  ["exec -- true", ["exec", c, "--", "true"], ["lxc", "exec", c, "--", "true"]],
  ["operations list", ["operations", "list"], ["lxc", "operation", "list"]],
];
const ways = [
  ["installed", (args) => [binary, ...args]],
  ["launcher", (args) => [process.execPath, launcher, ...args]],
  ["node", (args) => [process.execPath, cli, ...args]],
];
const floor = [process.execPath, "-e", "0"];

// LXD 5.0.2 now and then closes an exec output socket without its end-of-stream frame, which
// lxd-fetch reports (ExecOutputError, README "Exec"); such runs are counted, not timed.
const OUTPUT_LOSS = /without end-of-stream/;
let losses = 0;

/** One run: wall ms, CPU ms and peak RSS KiB, or undefined for LXD's output loss; other failures throw. */
function measure(argv) {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M %U %S", ...argv], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    // The launcher must start the compiled CLI, whatever the caller's environment says.
    env: { ...process.env, LXD_FETCH_BINARY: binary },
  });
  const ms = performance.now() - t;
  if (r.status !== 0 && OUTPUT_LOSS.test(r.stderr)) return void losses++;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [kib, user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { ms, cpu: (user + sys) * 1000, kib };
}

const mib = (kib) => (kib / 1024).toFixed(1);
const summary = (s) => ({ ms: median(s.ms), cpu: median(s.cpu), kib: median(s.kib) });
const seat = () => ({ ms: [], cpu: [], kib: [] });

for (const argv of [floor, ...commands.flatMap(([, args, lxc]) => [lxc, ...ways.map(([, w]) => w(args))])]) measure(argv); // warm caches
console.log(
  `${runs} runs each, alternating, ${repeat} repetitions; median wall time and median peak RSS (Node ${process.version}, lxc ${spawnSync("lxc", ["--version"], { encoding: "utf8" }).stdout.trim()})`,
);
const verdicts = [];
for (let rep = 1; rep <= repeat; rep++) {
  console.log(`-- repetition ${rep}`);
  const nodeFloor = seat();
  for (const [name, args, lxc] of commands) {
    const s = Object.fromEntries([["lxc", seat()], ...ways.map(([w]) => [w, seat()])]);
    const seats = [["lxc", lxc], ...ways.map(([w, f]) => [w, f(args)]), ["floor", floor]];
    for (let i = 0; i < runs; i++) {
      // Rotate the order so no one always runs right after another.
      const order = seats.map((_, j) => seats[(i + j) % seats.length]);
      for (const [k, argv] of order) {
        const m = measure(argv);
        if (!m) continue;
        const bucket = k === "floor" ? nodeFloor : s[k];
        bucket.ms.push(m.ms);
        bucket.cpu.push(m.cpu);
        bucket.kib.push(m.kib);
      }
    }
    const l = summary(s.lxc);
    const cpu = (x) => `cpu ${x.cpu.toFixed(0).padStart(4)} ms`;
    console.log(`${name.padEnd(16)} lxc       ${l.ms.toFixed(0).padStart(4)} ms ${mib(l.kib).padStart(5)} MiB ${cpu(l)}`);
    for (const [w] of ways) {
      const o = summary(s[w]);
      const ratio = o.ms / l.ms;
      const ok = ratio <= GOAL_TIME && o.kib <= GOAL_MIB * 1024;
      if (w === "installed") verdicts.push(ok);
      console.log(
        `${"".padEnd(16)} ${w.padEnd(9)} ${o.ms.toFixed(0).padStart(4)} ms ${mib(o.kib).padStart(5)} MiB ${cpu(o)} | ratio time ${ratio.toFixed(2)}× (goal ≤ ${GOAL_TIME}), cpu ${(o.cpu / l.cpu).toFixed(2)}×, RSS ${(o.kib / l.kib).toFixed(2)}×, peak ${o.kib <= GOAL_MIB * 1024 ? "≤" : ">"} ${GOAL_MIB} MiB${ok ? "" : "  (over)"}`,
      );
    }
  }
  const f = summary(nodeFloor);
  console.log(
    `${"node -e 0".padEnd(16)} ${f.ms.toFixed(0).padStart(4)} ms ${mib(f.kib).padStart(5)} MiB cpu ${f.cpu.toFixed(0).padStart(4)} ms (the runtime alone: no Node CLI gets below this)`,
  );
}
console.log(`installed CLI within the goal: ${verdicts.filter(Boolean).length} of ${verdicts.length} (command × repetition)`);
if (losses) console.log(`LXD output loss (ExecOutputError): ${losses} run(s), not timed`);
