// Execs 50 at a time, mixed output sizes from 0 to 1 MiB, every byte compared, on each server and
// transport, through both output paths:
// - recorded (run() with `output: "record"`: the server writes files, no pipe-to-websocket copy):
//   0 wrong on every server;
// - streamed (exec() over the websockets): 0 wrong where the server reads its pipes to their
//   end (LXD 5.0.0-5.0.2). Incus 6.0 (and LXD >= 5.0.3) can end a stream with its last bytes still
//   in the pipe (docs/exec-output.md): nothing on the wire tells a client, so there the count is
//   compared with the server's own CLI (`incus exec -T`), same workload, same concurrency, same
//   run, same server.
// Every exec that is wrong is reported: which stream, lengths, first differing offset, operation.
// CI runs 250 streamed and 250 recorded per transport to keep its time (the file took 190-250 s
// with 500 streamed, the largest share of CI's 30 minutes); the figures of docs/exec-output.md
// are 1,000 of each (LXD_FETCH_STRESS_EXECS=1000 LXD_FETCH_STRESS_RECORDED=1000).
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecProcess, Lxd } from "../../src/index.js";
import { clientFor, describeServers, type LxdEnv, remotes } from "./lxd.js";

const EXECS = Number(process.env.LXD_FETCH_STRESS_EXECS ?? 250);
// The server's CLI costs a process per exec (132 s for 500 in CI): half as many, its rate scaled.
const CLI_EXECS = Number(process.env.LXD_FETCH_STRESS_CLI ?? EXECS / 2);
const RECORDED = Number(process.env.LXD_FETCH_STRESS_RECORDED ?? 250);
const CONCURRENT = 50;
const MiB = 1 << 20;
const EXEC_LIMIT_MS = 60_000; // one exec taking longer than this counts as a hang
// Streamed exec on an affected server against its CLI: lxd-fetch's wrong count may exceed the
// CLI's (scaled to the same number of execs) by at most this. The counts are small and random (measured on Incus 6.0.4, 1,000 execs:
// lxd-fetch 0-2, `incus exec` 9; docs/exec-output.md), so one run's difference between two equal
// clients already spreads by about the square root of their sum; 3 lets a rare unlucky run of an
// equal client pass, while a client that loses clearly more than the CLI fails.
const CLI_MARGIN = 3;

/** Exec i's output size: 0, 1, odd sizes around websocket frame bounds, up to 1 MiB. */
const sizeOf = (i: number) => [0, 1, 125, 65_536, 131_073, MiB][i % 6]! + (i % 6 > 1 ? (i * 7919) % 4096 : 0);
const script = (i: number) => `yes ${i} | head -c ${sizeOf(i)}; echo end-${i} >&2; exit ${i % 3}`;
const expectedOut = (i: number) => Buffer.from(`${i}\n`.repeat(Math.ceil(sizeOf(i) / 2) + 1)).subarray(0, sizeOf(i));
const expectedErr = (i: number) => Buffer.from(`end-${i}\n`);

/** The server reads its exec pipes to their real end: LXD up to 5.0.2 (the wrapper came in 5.0.3). */
const unaffected = (env: LxdEnv) => env.server === "lxd" && /^LXD 5\.0\.[0-2]$/.test(env.label);

interface Outcome {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
  operation?: string;
}

/** What differs from exec i's expected result, or undefined when it is all right. */
function difference(i: number, got: Outcome) {
  const streams = (
    [
      ["stdout", got.stdout, expectedOut(i)],
      ["stderr", got.stderr, expectedErr(i)],
    ] as const
  ).flatMap(([stream, bytes, want]) => {
    const b = Buffer.from(bytes);
    if (b.equals(want)) return [];
    let at = 0;
    while (at < b.length && at < want.length && b[at] === want[at]) at++;
    return [{ stream, length: b.length, expected: want.length, firstDifferingOffset: at }];
  });
  if (streams.length === 0 && got.exitCode === i % 3) return undefined;
  return { i, operation: got.operation, exitCode: got.exitCode, expectedExit: i % 3, streams };
}

interface Tally {
  ok: number;
  wrong: number;
  hung: number;
  errors: Record<string, number>;
  retried: number;
}

/** Runs the workload EXECS times, CONCURRENT at once, through `one`; counts and reports. */
async function workload(label: string, one: (i: number, limit: AbortSignal) => Promise<Outcome & { attempts?: number }>, execs = EXECS) {
  const tally: Tally = { ok: 0, wrong: 0, hung: 0, errors: {}, retried: 0 };
  const wrongs: ReturnType<typeof difference>[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      while (next < execs) {
        const i = next++;
        const limit = AbortSignal.timeout(EXEC_LIMIT_MS);
        try {
          const got = await one(i, limit);
          if ((got.attempts ?? 1) > 1) tally.retried++;
          const diff = difference(i, got);
          if (diff) {
            tally.wrong++;
            wrongs.push(diff);
          } else tally.ok++;
        } catch (err) {
          if (limit.aborted) tally.hung++;
          const kind = (err as Error).name;
          tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
          if (errors.length < 5) errors.push(`exec ${i}: ${(err as Error).message}`);
        }
      }
    }),
  );
  const ms = Date.now() - started;
  console.log(`[lxd-fetch] ${label}: ${execs} execs at ${CONCURRENT} concurrent in ${ms} ms: ${JSON.stringify(tally)}`);
  for (const w of wrongs) console.log(`[lxd-fetch] ${label}: wrong ${JSON.stringify(w)}`);
  for (const e of errors) console.log(`[lxd-fetch] ${label}: error ${e}`);
  return { tally, wrongs, ms };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Buffer.concat(parts);
}

/** Streamed: exec() over the websockets, stdin closed at once, both outputs read. */
async function streamed(lxd: Lxd, remote: string, env: LxdEnv, i: number, signal: AbortSignal) {
  const proc: ExecProcess = await lxd.exec(remote, env.container, ["sh", "-c", script(i)], { signal });
  await proc.stdin.close();
  const [stdout, stderr] = await Promise.all([readAll(proc.stdout), readAll(proc.stderr)]);
  const { exitCode, attempts } = await proc.exited;
  return { stdout, stderr, exitCode, attempts, operation: proc.operation.id };
}

/** Recorded: run() with the output written to files by the server. */
async function recorded(lxd: Lxd, remote: string, env: LxdEnv, i: number, signal: AbortSignal) {
  const r = await lxd.run(remote, env.container, ["sh", "-c", script(i)], { output: "record", signal });
  if (r.output !== "record") throw new Error(`run took the ${r.output} path`);
  if (r.leftover) throw new Error(`recorded output left on the server: ${r.leftover.join(", ")}`);
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, operation: r.operation.id };
}

/** The server's own CLI (`incus exec -T`, no terminal) against its unix socket, one process per exec. */
function cli(env: LxdEnv, i: number, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn("incus", ["exec", env.container, "-T", "--", "sh", "-c", script(i)], {
      env: { ...process.env, INCUS_SOCKET: env.socket },
      stdio: ["ignore", "pipe", "pipe"],
      signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const stderr = Buffer.concat(err);
      // The CLI's own failures ("Error: Only running operations can be connected") are errors, not output.
      const failure = /^Error: (.*)$/m.exec(stderr.toString());
      if (failure) return reject(Object.assign(new Error(failure[1]), { name: `incus: ${failure[1]}` }));
      resolve({ stdout: Buffer.concat(out), stderr, exitCode: code ?? -1 });
    });
  });
}

describeServers("real server: exec under load", (env) => {
  const clients: Lxd[] = [];
  afterAll(() => Promise.all(clients.map((c) => c.close())));
  const client = (name: string, remote: Parameters<typeof clientFor>[1]) => {
    const lxd = clientFor(name, remote);
    clients.push(lxd);
    return lxd;
  };
  const streamedWrong: Record<string, number> = {};

  describe.each(remotes(env))("over %s", (name, remote) => {
    it(`recorded output: ${RECORDED} runs at ${CONCURRENT} concurrent, 0 wrong, 0 errors, 0 hung`, { timeout: 300_000 }, async () => {
      const lxd = client(name, remote);
      const { tally } = await workload(`${env.label} ${name} recorded`, (i, s) => recorded(lxd, name, env, i, s), RECORDED);
      expect(tally).toEqual({ ok: RECORDED, wrong: 0, hung: 0, errors: {}, retried: 0 });
    });

    it(`streamed exec: ${EXECS} at ${CONCURRENT} concurrent, ${unaffected(env) ? "0 wrong" : "wrong counted"}, 0 errors, 0 hung`, {
      timeout: 300_000,
    }, async () => {
      const lxd = client(name, remote);
      const { tally } = await workload(`${env.label} ${name} streamed`, (i, s) => streamed(lxd, name, env, i, s));
      streamedWrong[name] = tally.wrong;
      // Not-started execs were sent again (counted in `retried`); nothing else may fail.
      expect({ hung: tally.hung, errors: tally.errors, done: tally.ok + tally.wrong }).toEqual({ hung: 0, errors: {}, done: EXECS });
      if (unaffected(env)) expect(tally.wrong).toBe(0);
    });
  });

  if (env.server === "incus") {
    it(`streamed exec is not worse than \`incus exec -T\` with the same workload (${CLI_EXECS} at ${CONCURRENT} concurrent, rate scaled; margin ${CLI_MARGIN})`, {
      timeout: 600_000,
    }, async () => {
      const { tally } = await workload(`${env.label} incus exec -T`, (i, s) => cli(env, i, s), CLI_EXECS);
      const ours = Object.values(streamedWrong);
      const cliScaled = (tally.wrong * EXECS) / CLI_EXECS;
      console.log(
        `[lxd-fetch] ${env.label}: wrong per ${EXECS}: lxd-fetch streamed ${JSON.stringify(streamedWrong)}, incus exec -T ${cliScaled} (${tally.wrong} of ${CLI_EXECS}; errors ${JSON.stringify(tally.errors)})`,
      );
      // The CLI's own hangs and failures are reported above, not asserted: they are the server's and its CLI's.
      expect(ours).toHaveLength(remotes(env).length); // both streamed runs happened
      for (const wrong of ours) expect(wrong).toBeLessThanOrEqual(cliScaled + CLI_MARGIN);
    });
  }
});
