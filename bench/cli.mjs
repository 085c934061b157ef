#!/usr/bin/env node
// Whole-process start-up of the CLI against `lxc`, same machine, same daemon, same container,
// in one run: `lxd-fetch exec <c> -- true` vs `lxc exec <c> -- true`, and `operations list` vs
// `lxc operation list`. Each run takes every build of the CLI and lxc in turn, rotating the
// order; prints the median wall time, the median peak RSS and the ratios to lxc (goal ≤ 1.5×
// time, ≤ 32 MiB peak). The builds:
//   node      `node dist/cli.js`, the command everywhere Node is;
//   native    the compiled executable (scripts/build-native.mjs), when built;
//   launcher  bin/lxd-fetch reached through a symbolic link as npm installs it, which finds and
//             execs the executable (its own cost is the difference to `native`).
// Floors, the runtimes alone: `node -e 0`, and a compiled Bun program that prints one line.
// Peak RSS comes from GNU time (Debian package `time`).
//   npm run bench:cli [-- --runs 30] [--cli other/dist/cli.js] [--native path] [--only node,native] [--keep-cache]
//     [--instance NAME]   a running instance of your own instead of the shared test container
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropFromPageCache, lxdEnv, median } from "./env.mjs";

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(arg("--runs")) || 30;
const env = lxdEnv();
const root = new URL("..", import.meta.url).pathname;
// --cli <path>: another build of the CLI (e.g. an older commit's dist/cli.js) in the same seat.
const cli = arg("--cli") ?? join(root, "dist/cli.js");
const platform = `${process.platform}-${process.arch}`;
const native = arg("--native") ?? join(root, `npm/lxd-fetch-${platform}/bin/lxd-fetch`);
const only = arg("--only")?.split(",");
if (!existsSync("/usr/bin/time")) throw new Error("bench/cli: needs GNU time (apt-get install time)");
if (spawnSync("lxc", ["--version"]).status !== 0) throw new Error("bench/cli: needs lxc (scripts/lxd-up.sh installs it)");

// The launcher as npm links it: node_modules/.bin/lxd-fetch -> ../lxd-fetch/bin/lxd-fetch, with
// this repository as node_modules/lxd-fetch (its build under npm/ stands for the platform package).
const scratch = mkdtempSync(join(tmpdir(), "lxd-fetch-bench-cli-"));
mkdirSync(join(scratch, "node_modules/.bin"), { recursive: true });
symlinkSync(root, join(scratch, "node_modules/lxd-fetch"));
const launcher = join(scratch, "node_modules/.bin/lxd-fetch");
symlinkSync("../lxd-fetch/bin/lxd-fetch", launcher);
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

const builds = [
  ["node", [process.execPath, cli]],
  ...(existsSync(native)
    ? [
        ["native", [native]],
        ["launcher", [launcher]],
      ]
    : []),
].filter(([name]) => !only || only.includes(name));
if (!existsSync(native)) console.log(`(no native executable at ${native}: node_modules/.bin/bun scripts/build-native.mjs builds it)`);

// Every build is measured as read from disk (dropFromPageCache); --keep-cache measures them as they are.
if (existsSync(native) && !dropFromPageCache(native)) console.log(`(could not drop ${native} from the page cache)`);

// The floors: Node alone, and a compiled Bun program (built here with the pinned Bun, if any).
const floors = [["node -e 0", [process.execPath, "-e", "0"]]];
const bun = join(root, "node_modules/.bin/bun");
if (existsSync(bun)) {
  writeFileSync(join(scratch, "hello.js"), 'console.log("hello");\n');
  const hello = join(scratch, "hello");
  if (spawnSync(bun, ["build", "--compile", join(scratch, "hello.js"), "--outfile", hello]).status === 0 && dropFromPageCache(hello))
    floors.push(["bun --compile hello", [hello]]);
}

const c = arg("--instance") ?? env.container;
const commands = [
  ["exec -- true", ["exec", c, "--", "true"], ["lxc", "exec", c, "--", "true"]],
  ["operations list", ["operations", "list"], ["lxc", "operation", "list"]],
];

// LXD 5.0.2 now and then closes an exec output socket without its end-of-stream frame, which
// lxd-fetch reports (ExecOutputError, docs/exec.md); such runs are counted, not timed.
const OUTPUT_LOSS = /without end-of-stream/;
let losses = 0;
// Under load the server can give up waiting for the exec websockets (5 s) three times running;
// the command never started and lxd-fetch says so. Counted, not timed, like the loss above.
const NOT_STARTED = /stopped waiting for the websockets/;
let notStarted = 0;

/** One run: wall ms and peak RSS KiB, or undefined for LXD's output loss; other failures throw. */
function measure(argv) {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t;
  if (r.status !== 0 && OUTPUT_LOSS.test(r.stderr)) return void losses++;
  if (r.status !== 0 && NOT_STARTED.test(r.stderr)) return void notStarted++;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, kib: Number(r.stderr.trim().split("\n").at(-1)) };
}

const mib = (kib) => (kib / 1024).toFixed(1);
const GOAL_RATIO = 1.5;
const GOAL_MIB = 32;

console.log(`${runs} runs each, rotating the order; median wall time and median peak RSS (Node ${process.version})`);
const floorSamples = Object.fromEntries(floors.map(([name]) => [name, { ms: [], kib: [] }]));
for (const [name, args, lxc] of commands) {
  const seats = [...builds.map(([b, pre]) => [b, [...pre, ...args]]), ["lxc", lxc], ...floors];
  for (const [, argv] of seats) measure(argv); // warm caches
  const s = Object.fromEntries(seats.map(([k]) => [k, { ms: [], kib: [] }]));
  for (let i = 0; i < runs; i++) {
    // Rotate the order so no build always runs right after another.
    const order = seats.map((_, j) => seats[(i + j) % seats.length]);
    for (const [k, argv] of order) {
      const m = measure(argv);
      if (!m) continue;
      const bucket = floorSamples[k] ?? s[k];
      bucket.ms.push(m.ms);
      bucket.kib.push(m.kib);
    }
  }
  const l = { ms: median(s.lxc.ms), kib: median(s.lxc.kib) };
  console.log(`${name}: lxc ${l.ms.toFixed(0)} ms ${mib(l.kib)} MiB`);
  for (const [b] of builds) {
    const o = { ms: median(s[b].ms), kib: median(s[b].kib) };
    const ratio = o.ms / l.ms;
    console.log(
      `  ${b.padEnd(9)} ${o.ms.toFixed(0).padStart(4)} ms ${mib(o.kib).padStart(5)} MiB | ratio time ${ratio.toFixed(2)}× (goal ≤ ${GOAL_RATIO}: ${ratio <= GOAL_RATIO ? "met" : "NOT MET"}), RSS ${(o.kib / l.kib).toFixed(2)}×, peak ${o.kib <= GOAL_MIB * 1024 ? "≤" : ">"} ${GOAL_MIB} MiB`,
    );
  }
}
for (const [name] of floors) {
  const f = { ms: median(floorSamples[name].ms), kib: median(floorSamples[name].kib) };
  console.log(
    `${name.padEnd(20)} ${f.ms.toFixed(0).padStart(4)} ms ${mib(f.kib).padStart(5)} MiB (the runtime alone: the floor of its builds)`,
  );
}
if (losses) console.log(`LXD output loss (ExecOutputError): ${losses} run(s), not timed`);
if (notStarted) console.log(`exec never started (the server stopped waiting for its websockets): ${notStarted} run(s), not timed`);
