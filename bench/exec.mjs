#!/usr/bin/env node
// Exec benchmark against the real daemon, one run, same container, over the unix socket and HTTPS:
//  (a) throughput of `head -c N /dev/zero` read as a stream (bytes counted, not kept) through
//      lxd-fetch, a bare raw-protocol client (the practical ceiling) and `lxc exec` (local only);
//  (b) per-exec latency of `true`: lxd-fetch vs raw interleaved call by call, and `lxc exec` per process;
//  (c) peak RSS of a child process streaming 16/64/256 MiB, lxd-fetch and raw;
//  (e) run() with the output recorded by the server against streamed, on every server of
//      .lxd-test/lxd.env (LXD and Incus), both transports: latency, requests per call, and a
//      burst of concurrent runs; ratios record/stream from the same run.
//   npx tsup --silent && node bench/exec.mjs [--quick] [--record (section e only)]
import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Agent, WebSocket } from "undici";
import { createLxd, nodeTransport } from "../dist/index.js";
import { loadServers } from "../scripts/lxd-env.mjs";
import { lxdEnv, median } from "./env.mjs";

const MiB = 1 << 20;
const quick = process.argv.includes("--quick");
const SIZE = quick ? 32 * MiB : 256 * MiB;
const RUNS = 3;
const LATENCY_CALLS = quick ? 10 : 50;
const LXC_CALLS = quick ? 5 : 20;
const MEM_SIZES = quick ? [16 * MiB, 32 * MiB] : [16 * MiB, 64 * MiB, 256 * MiB];
const TIMEOUT_MS = 120_000; // a hang is reported as a failure, not waited out
const SLOW_MS = 1; // (d) the slow reader's pause per chunk
const SLOW_SIZE = quick ? 64 * MiB : 256 * MiB;

const env = lxdEnv();
const C = env.container;
const headCmd = (n) => ["head", "-c", String(n), "/dev/zero"];

// Same connection settings for both clients: only the client's own work differs.
function makeRoutes() {
  return [
    { name: "unix", base: "http://unix", agent: new Agent({ connect: { socketPath: env.socket } }) },
    { name: "https", base: env.httpsUrl, agent: new Agent({ connect: env.tls }) },
  ];
}
const makeLxd = () => createLxd({ remotes: { unix: { socket: env.socket }, https: { url: env.httpsUrl, ...env.tls } } });

// ---- the raw client: the protocol by hand, no abstraction ----------------------------------------
async function rawExec(route, command, onStdout) {
  const res = await fetch(`${route.base}/1.0/instances/${C}/exec`, {
    method: "POST",
    dispatcher: route.agent,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ command, "wait-for-websocket": true, interactive: false }),
  });
  const body = await res.json();
  if (body.type !== "async") throw new Error(`raw exec: ${body.error || res.status}`);
  const { id, metadata } = body.metadata;
  const fds = metadata.fds;
  const url = (secret) => `${route.base.replace(/^http/, "ws")}/1.0/operations/${id}/websocket?secret=${secret}`;
  // Resolves with the socket once open, and `eof` once the server's text frame (or drop) arrives.
  const open = (secret, onData) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url(secret), { dispatcher: route.agent });
      ws.binaryType = "arraybuffer";
      ws.eof = new Promise((done) => {
        ws.onmessage = (m) => (typeof m.data === "string" ? done() : onData?.(m.data.byteLength));
        ws.onclose = () => done();
      });
      ws.onopen = () => resolve(ws);
      ws.onerror = (e) => reject(e.error ?? new Error("raw: websocket error"));
    });
  // In order, each once the previous one is open, as LXD's Go client (and lxd-fetch) do.
  const control = await open(fds.control); // first, or a short command ends before it connects
  const stdin = await open(fds["0"]);
  const stdout = await open(fds["1"], onStdout);
  const stderr = await open(fds["2"]);
  stdin.close(1000); // stdin EOF
  const waited = fetch(`${route.base}/1.0/operations/${id}/wait?timeout=30`, { dispatcher: route.agent }).then((r) => r.json());
  const [op] = await Promise.all([waited, stdout.eof, stderr.eof]);
  for (const ws of [control, stdout, stderr]) if (ws.readyState <= 1) ws.close(1000);
  const code = op.metadata?.metadata?.return;
  if (typeof code !== "number") throw new Error(`raw: no exit code (${op.error || op.metadata?.err})`);
  return code;
}

// ---- one streamed exec per client; resolves with the byte count --------------------------------
// `delayMs`: a slow reader, which sleeps that long per chunk.
async function libStream(lxd, route, n, delayMs = 0) {
  const proc = await lxd.exec(route.name, C, headCmd(n), {});
  await proc.stdin.close();
  const count = async (stream) => {
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += chunk.byteLength;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    }
    return bytes;
  };
  const [bytes, , exit] = await Promise.all([count(proc.stdout), count(proc.stderr), proc.exited]);
  if (exit.exitCode !== 0) throw new Error(`lxd-fetch: exit code ${exit.exitCode}`);
  return bytes;
}

async function rawStream(route, n) {
  let bytes = 0;
  const code = await rawExec(route, headCmd(n), (len) => (bytes += len));
  if (code !== 0) throw new Error(`raw: exit code ${code}`);
  return bytes;
}

// The whole `lxc` process; it uses its own config, so only the local socket.
function lxcRun(command, countStdout) {
  return new Promise((resolve, reject) => {
    const child = spawn("lxc", ["exec", C, "--", ...command], { stdio: ["ignore", countStdout ? "pipe" : "ignore", "inherit"] });
    let bytes = 0;
    child.stdout?.on("data", (b) => (bytes += b.length));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`lxc exited with ${code}`))));
  });
}

// ---- CPU accounting: the daemon (where LXD copies pipes to websockets) and this process --------
const TICK = 100; // CLK_TCK on Linux
const statTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return { own: +f[11] + +f[12], children: +f[13] + +f[14] }; // utime+stime, cutime+cstime
};
function lxdPid() {
  // The main daemon is the `lxd` with no subcommand; helpers (forkexec, ...) have one.
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (argv[0]?.endsWith("lxd") && (argv.length === 1 || argv[1].startsWith("-"))) return pid;
    } catch {}
  }
  return undefined;
}

const withTimeout = (p, what) => {
  let timer;
  const t = new Promise(
    (_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no result after ${TIMEOUT_MS / 1000} s (hang)`)), TIMEOUT_MS)),
  );
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
};

// Test suites running next to the bench stop and restart this container. A run during which the
// container's init pid changed was disturbed from outside: wait until it runs again and redo it.
const stateAgent = new Agent({ connect: { socketPath: env.socket } });
async function containerPid() {
  const r = await fetch(`http://unix/1.0/instances/${C}/state`, { dispatcher: stateAgent }).then((res) => res.json());
  return r.metadata?.status === "Running" ? r.metadata.pid : undefined;
}
async function guarded(what, f) {
  for (let attempt = 1; ; attempt++) {
    let pid;
    for (let waited = 0; !(pid = await containerPid()); waited++) {
      if (waited === 0) console.error(`note: ${what}: container ${C} is not running (stopped by someone else?); waiting up to 120 s`);
      if (waited === 120) throw new Error(`container ${C} not running`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    try {
      return await withTimeout(f(), what);
    } catch (e) {
      if (attempt < 3 && (await containerPid()) !== pid) {
        console.error(`note: ${what}: container was stopped or restarted meanwhile (${e.message}); redoing it`);
        continue;
      }
      throw e;
    }
  }
}

// Runs f, returns wall time and CPU seconds of the daemon, this process and reaped children (lxc).
async function measured(f) {
  const pid = lxdPid();
  const [d0, s0, c0, t0] = [pid && statTicks(pid).own, statTicks("self").children, process.cpuUsage(), performance.now()];
  const result = await f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return {
    result,
    wall,
    lxdCpu: pid ? (statTicks(pid).own - d0) / TICK : NaN,
    nodeCpu: (c.user + c.system) / 1e6,
    childCpu: (statTicks("self").children - s0) / TICK,
  };
}

let failures = 0;
const fail = (what, err) => {
  failures++;
  console.error(`FAILED ${what}: ${err?.message ?? err}`);
};
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "-");

// ---- (c) child mode: one streamed exec in a fresh process, print memory as JSON ----------------
async function child([client, routeName, n]) {
  const routes = makeRoutes();
  const route = routes.find((r) => r.name === routeName);
  const lxd = makeLxd();
  const status = () =>
    Object.fromEntries(
      readFileSync("/proc/self/status", "utf8")
        .split("\n")
        .map((l) => l.split(/:\s+/)),
    );
  const kib = (v) => parseInt(v, 10) / 1024; // "123 kB" -> MiB
  // Warm up the same path (connections, events socket, JIT) so the baseline includes it.
  if (client.startsWith("lxd-fetch")) await libStream(lxd, route, 1024);
  else await rawStream(route, 1024);
  globalThis.gc?.();
  const base = kib(status().VmRSS);
  const started = performance.now();
  const bytes = await (client.startsWith("lxd-fetch")
    ? libStream(lxd, route, +n, client === "lxd-fetch-slow" ? SLOW_MS : 0)
    : rawStream(route, +n));
  const seconds = (performance.now() - started) / 1000;
  const peak = kib(status().VmHWM);
  await lxd.close();
  await Promise.all(routes.map((r) => r.agent.close()));
  console.log(JSON.stringify({ bytes, base, peak, seconds }));
}

function runChild(args) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", fileURLToPath(import.meta.url), "--child", ...args],
      { timeout: TIMEOUT_MS },
      (err, stdout, stderr) => {
        // The child's uncaught error line is the useful part of its stderr.
        if (err) return reject(new Error(stderr.split("\n").find((l) => /^\w*Error\b/.test(l)) ?? err.message));
        resolve(JSON.parse(stdout.trim().split("\n").pop()));
      },
    );
  });
}

// ---- main ---------------------------------------------------------------------------------------
async function main() {
  const routes = makeRoutes();
  const lxd = makeLxd();
  const libRun = async (route) => {
    const r = await lxd.run(route.name, C, ["true"], { output: "stream" }); // the websocket path, as raw
    if (r.exitCode !== 0) throw new Error(`lxd-fetch: true exited ${r.exitCode}`);
  };
  const rawRun = async (route) => {
    const code = await rawExec(route, ["true"]);
    if (code !== 0) throw new Error(`raw: true exited ${code}`);
  };
  console.log(
    `lxd-fetch exec bench${quick ? " (--quick)" : ""}: container ${C}, LXD ${lxdPid() ? `pid ${lxdPid()}` : "(pid not found)"}, node ${process.version}, ${(await import("node:os")).cpus().length} CPUs`,
  );

  // Warm up each path once (connections, the library's events socket, JIT).
  await guarded("warm-up", async () => {
    for (const route of routes) {
      await libStream(lxd, route, MiB);
      await rawStream(route, MiB);
    }
    await lxcRun(headCmd(MiB), true);
  });

  // (a) throughput. Each run rotates the order, so every client takes every position once.
  const clients = {
    "lxd-fetch": (route) => libStream(lxd, route, SIZE),
    raw: (route) => rawStream(route, SIZE),
    lxc: () => lxcRun(headCmd(SIZE), true),
  };
  const tp = {}; // "route client" -> [measured]
  for (let i = 0; i < RUNS; i++) {
    for (const route of routes) {
      const names = Object.keys(clients).filter((k) => k !== "lxc" || route.name === "unix");
      for (const k of [...names.slice(i % names.length), ...names.slice(0, i % names.length)]) {
        const what = `throughput ${route.name} ${k} run ${i + 1}`;
        try {
          const m = await guarded(what, () => measured(() => clients[k](route)));
          if (m.result !== SIZE) throw new Error(`wrong byte count: ${m.result}, expected ${SIZE}`);
          (tp[`${route.name} ${k}`] ??= []).push(m);
        } catch (e) {
          fail(what, e);
        }
      }
    }
  }
  const mbps = (m) => SIZE / m.wall / 1e6;
  const tpMedian = (key) => (tp[key] ? median(tp[key].map(mbps)) : NaN);
  console.log(
    `\n(a) throughput: head -c ${SIZE / MiB} MiB /dev/zero streamed, ${RUNS} runs each; MB = 10^6 B; CPU = median CPU-seconds / wall (100% = 1 core)`,
  );
  console.log("route  client     median MB/s  runs MB/s              lxd daemon CPU  client CPU");
  for (const [key, ms] of Object.entries(tp)) {
    const [route, k] = key.split(" ");
    const clientCpu = k === "lxc" ? median(ms.map((m) => m.childCpu / m.wall)) : median(ms.map((m) => m.nodeCpu / m.wall));
    console.log(
      `${route.padEnd(6)} ${k.padEnd(10)} ${fmt(tpMedian(key)).padStart(11)}  ${ms
        .map((m) => fmt(mbps(m)))
        .join(" ")
        .padEnd(
          21,
        )} ${pct(median(ms.map((m) => m.lxdCpu / m.wall))).padStart(14)}  ${pct(clientCpu).padStart(10)}${k === "lxc" ? " (lxc process)" : ""}`,
    );
  }
  for (const route of routes) {
    const lib = tpMedian(`${route.name} lxd-fetch`);
    const extra =
      route.name === "unix" ? `, lxd-fetch/lxc ${fmt(lib / tpMedian("unix lxc"), 3)}` : " (lxc: local socket only, it uses its own config)";
    console.log(`ratios ${route.name}: lxd-fetch/raw ${fmt(lib / tpMedian(`${route.name} raw`), 3)}${extra}`);
  }

  // (b) latency of `true`: lxd-fetch and raw interleaved call by call, alternating which goes first.
  console.log(
    `\n(b) latency of \`true\`: ${LATENCY_CALLS} sequential calls each (lxd-fetch and raw interleaved); lxc: ${LXC_CALLS} processes, spawn to exit`,
  );
  const lat = {};
  for (const route of routes) {
    const times = { lib: [], raw: [] };
    try {
      await guarded("latency warm-up", async () => {
        for (let i = 0; i < 3; i++) await libRun(route).then(() => rawRun(route));
      });
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const pair =
          i % 2
            ? [
                ["raw", rawRun],
                ["lib", libRun],
              ]
            : [
                ["lib", libRun],
                ["raw", rawRun],
              ];
        for (const [k, f] of pair) {
          const ms = await guarded(`latency ${route.name} ${k}`, async () => {
            const t = performance.now();
            await f(route);
            return performance.now() - t;
          });
          times[k].push(ms);
        }
      }
    } catch (e) {
      fail(`latency ${route.name}`, e);
    }
    lat[route.name] = { lib: median(times.lib), raw: median(times.raw) };
  }
  const lxcTimes = [];
  try {
    for (let i = 0; i < LXC_CALLS; i++) {
      const ms = await guarded("latency lxc", async () => {
        const t = performance.now();
        await lxcRun(["true"], false);
        return performance.now() - t;
      });
      lxcTimes.push(ms);
    }
  } catch (e) {
    fail("latency lxc", e);
  }
  const lxcMs = lxcTimes.length ? median(lxcTimes) : NaN;
  console.log("route  lxd-fetch ms  raw ms  lxc ms  lxd-fetch/raw  lxd-fetch/lxc");
  for (const route of routes) {
    const { lib, raw } = lat[route.name];
    const isUnix = route.name === "unix";
    console.log(
      `${route.name.padEnd(6)} ${fmt(lib, 2).padStart(12)}  ${fmt(raw, 2).padStart(6)}  ${(isUnix ? fmt(lxcMs, 2) : "-").padStart(6)}  ${fmt(lib / raw, 3).padStart(13)}  ${(isUnix ? fmt(lib / lxcMs, 3) : "-").padStart(13)}`,
    );
  }

  await lxd.close();
  await Promise.all(routes.map((r) => r.agent.close()));

  // (c) peak memory: a fresh child per size, so each VmHWM belongs to one run only.
  console.log(`\n(c) peak RSS (MiB) of a child process streaming N MiB: baseline VmRSS after a warm-up exec and gc -> VmHWM after the run`);
  console.log(`route  client     ${MEM_SIZES.map((n) => `${n / MiB} MiB`.padStart(14)).join("")}`);
  for (const route of ["unix", "https"]) {
    for (const client of ["lxd-fetch", "raw"]) {
      const cells = [];
      for (const n of MEM_SIZES) {
        try {
          const r = await guarded(`memory ${route} ${client}`, () => runChild([client, route, String(n)]));
          if (r.bytes !== n) throw new Error(`wrong byte count: ${r.bytes}, expected ${n}`);
          cells.push(`${fmt(r.base, 0)} -> ${fmt(r.peak, 0)}`);
        } catch (e) {
          fail(`memory ${route} ${client} ${n / MiB} MiB`, e);
          cells.push("FAILED");
        }
      }
      console.log(`${route.padEnd(6)} ${client.padEnd(10)} ${cells.map((c) => c.padStart(14)).join("")}`);
    }
  }

  // (d) a slow reader (1 ms per chunk): the socket pauses, so LXD is held back and memory stays
  // bounded; the fast reader of (c) is the baseline.
  console.log(`\n(d) slow reader: ${SLOW_SIZE / MiB} MiB read ${SLOW_MS} ms per chunk; peak RSS growth over the baseline (MiB), and time`);
  console.log("route  client          growth   seconds   (fast reader: growth, seconds)");
  for (const route of ["unix", "https"]) {
    try {
      const [slow, fast] = [
        await guarded(`slow reader ${route}`, () => runChild(["lxd-fetch-slow", route, String(SLOW_SIZE)])),
        await guarded(`fast reader ${route}`, () => runChild(["lxd-fetch", route, String(SLOW_SIZE)])),
      ];
      for (const r of [slow, fast]) if (r.bytes !== SLOW_SIZE) throw new Error(`wrong byte count: ${r.bytes}, expected ${SLOW_SIZE}`);
      console.log(
        `${route.padEnd(6)} lxd-fetch-slow ${fmt(slow.peak - slow.base, 0).padStart(7)}   ${fmt(slow.seconds, 1).padStart(7)}   (${fmt(fast.peak - fast.base, 0)}, ${fmt(fast.seconds, 1)})`,
      );
    } catch (e) {
      fail(`slow reader ${route}`, e);
    }
  }

  await stateAgent.close();
  if (failures) {
    console.log(`\n${failures} failure(s): see the FAILED lines`);
    process.exitCode = 1;
  }
}

// ---- (e) recorded output against streamed, per server ------------------------------------------
const REC_CALLS = quick ? 10 : 30; // sequential pairs per server and transport
const REC_BURST = quick ? 50 : 200; // runs per burst, REC_CONCURRENT at once
const REC_CONCURRENT = 50;
const REC_ROUNDS = 3; // bursts per path, alternating which path goes first

// A client whose transport counts what it sends: HTTP requests and websockets, by kind.
function countingClient(name, remote) {
  const seen = { http: 0, ws: 0, events: 0 };
  const lxd = createLxd({
    remotes: { [name]: remote },
    defaultRemote: name,
    transport: (n, cfg) => {
      const t = nodeTransport(n, cfg);
      return {
        ...t,
        baseUrl: t.baseUrl,
        fetch: (input, init) => (seen.http++, t.fetch(input, init)),
        webSocket: (url, o) => (url.includes("/1.0/events") ? seen.events++ : seen.ws++, t.webSocket(url, o)),
      };
    },
  });
  return { lxd, seen };
}

async function recordBench() {
  const servers = loadServers().filter((s) => s.env);
  console.log(
    `\n(e) run() recorded (record-output, files read and deleted) vs streamed (websockets): \`sh -c 'echo out; echo err >&2; exit 3'\`;` +
      ` latency: ${REC_CALLS} sequential pairs, interleaved; burst: ${REC_BURST} runs at ${REC_CONCURRENT} concurrent, ${REC_ROUNDS} rounds per path;` +
      ` requests per call: HTTP + exec websockets (the shared events socket apart)`,
  );
  console.log("server        route  path    median ms  requests/call  burst s (rounds)        record/stream latency  burst");
  const cmd = ["sh", "-c", "echo out; echo err >&2; exit 3"];
  for (const { env } of servers) {
    const routes = [
      ["unix", { socket: env.socket }],
      ["https", { url: env.httpsUrl, ca: env.serverCert, cert: env.clientCert, key: env.clientKey }],
    ];
    for (const [route, remote] of routes) {
      const { lxd, seen } = countingClient(route, remote);
      const one = async (output) => {
        const r = await lxd.run(route, env.container, cmd, { output });
        if (r.exitCode !== 3 || r.text() !== "out\n" || r.text("stderr") !== "err\n" || r.output !== output)
          throw new Error(`${output}: wrong result ${JSON.stringify({ exit: r.exitCode, out: r.text(), err: r.text("stderr") })}`);
      };
      const row = {};
      try {
        for (const output of ["record", "stream"]) await one(output); // warm-up: connections, events socket
        const times = { record: [], stream: [] };
        const requests = { record: 0, stream: 0 };
        for (let i = 0; i < REC_CALLS; i++) {
          for (const output of i % 2 ? ["stream", "record"] : ["record", "stream"]) {
            const before = seen.http + seen.ws;
            const t = performance.now();
            await withTimeout(one(output), `latency ${output}`);
            times[output].push(performance.now() - t);
            requests[output] += seen.http + seen.ws - before;
          }
        }
        const bursts = { record: [], stream: [] };
        for (let round = 0; round < REC_ROUNDS; round++) {
          for (const output of round % 2 ? ["stream", "record"] : ["record", "stream"]) {
            let next = 0;
            const t = performance.now();
            await withTimeout(
              Promise.all(
                Array.from({ length: REC_CONCURRENT }, async () => {
                  while (next < REC_BURST) {
                    next++;
                    await one(output);
                  }
                }),
              ),
              `burst ${output}`,
            );
            bursts[output].push((performance.now() - t) / 1000);
          }
        }
        for (const output of ["record", "stream"])
          row[output] = {
            ms: median(times[output]),
            req: requests[output] / REC_CALLS,
            burst: median(bursts[output]),
            all: bursts[output],
          };
      } catch (e) {
        fail(`record bench ${env.label} ${route}`, e);
      }
      await lxd.close();
      for (const output of ["record", "stream"]) {
        const r = row[output];
        if (!r) continue;
        const ratios =
          output === "record"
            ? `${fmt(row.record.ms / row.stream?.ms, 2).padStart(21)}  ${fmt(row.record.burst / row.stream?.burst, 2).padStart(5)}`
            : "";
        console.log(
          `${env.label.padEnd(13)} ${route.padEnd(6)} ${output.padEnd(6)} ${fmt(r.ms, 1).padStart(10)}  ${fmt(r.req, 1).padStart(13)}  ${`${fmt(r.burst, 2)} (${r.all.map((x) => fmt(x, 2)).join(" ")})`.padEnd(22)} ${ratios}`,
        );
      }
    }
  }
  if (failures) process.exitCode = 1;
}

if (process.argv.includes("--child")) await child(process.argv.slice(process.argv.indexOf("--child") + 1));
else {
  if (!process.argv.includes("--record")) await main();
  await recordBench();
  // Everything is closed: the process should exit on its own. If a handle leaks, say so and exit.
  setTimeout(() => {
    console.error("bench: still running 5 s after close; open handles:", process.getActiveResourcesInfo());
    process.exit(1);
  }, 5000).unref();
}
