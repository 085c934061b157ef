// 1,000 execs, 50 at a time, over each transport: mixed output sizes from 0 to 1 MiB, every
// byte checked by sha256, and nothing lost, wrong or hanging. Before the exec sockets were
// connected one after another and the output sockets stopped answering LXD's pings, 12-28 of
// 50 such execs ended in ExecOutputError (docs/exec.md, docs/protocol.md).
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecProcess, Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const EXECS = 1000;
const CONCURRENT = 50;
const MiB = 1 << 20;
const EXEC_LIMIT_MS = 60_000; // one exec taking longer than this counts as a hang

/** Exec i's output size: 0, 1, odd sizes around websocket frame bounds, up to 1 MiB. */
const sizeOf = (i: number) => [0, 1, 125, 65_536, 131_073, MiB][i % 6]! + (i % 6 > 1 ? (i * 7919) % 4096 : 0);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const expected = (i: number) =>
  createHash("sha256")
    .update(Buffer.from(`${i}\n`.repeat(Math.ceil(sizeOf(i) / 2) + 1)).subarray(0, sizeOf(i)))
    .digest("hex");

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Buffer.concat(parts);
}

/** A hung exec's phase, and its operation's state as the client last saw it and as the server has it now. */
async function hangReport(lxd: Lxd, remote: string, i: number, at: { phase: string; proc?: ExecProcess }) {
  const op = at.proc?.operation;
  if (!op) return { i, phase: at.phase };
  const server = await lxd.operations.info(remote, op.id).then(
    (o) => `${o.status} (return ${String(o.metadata?.return)})`,
    (e: Error) => e.name,
  );
  return { i, phase: at.phase, operation: op.id, client: op.current.status, server };
}

describeServers("real server: exec under load", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    afterAll(() => lxd.close());

    it(`${EXECS} execs at ${CONCURRENT} concurrent: 0 lost, 0 wrong, 0 hung`, { timeout: 300_000 }, async () => {
      const tally = { ok: 0, wrong: 0, hung: 0, errors: {} as Record<string, number> };
      // Where each hung exec stood, and what the server says of its operation: a hang says where.
      const hangs: { i: number; phase: string; operation?: string; client?: string; server?: string }[] = [];
      let next = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          while (next < EXECS) {
            const i = next++;
            const limit = AbortSignal.timeout(EXEC_LIMIT_MS);
            const at: { phase: string; proc?: ExecProcess } = { phase: "starting (request, sockets)" };
            try {
              const command = ["sh", "-c", `yes ${i} | head -c ${sizeOf(i)}; echo end-${i} >&2; exit ${i % 3}`];
              const proc = await lxd.exec(name, env.container, command, { signal: limit });
              Object.assign(at, { phase: "reading output", proc });
              await proc.stdin.close();
              const [stdout, stderr] = await Promise.all([readAll(proc.stdout), readAll(proc.stderr)]);
              at.phase = "waiting for the exit (outputs ended)";
              const { exitCode } = await proc.exited;
              const good = sha256(stdout) === expected(i) && new TextDecoder().decode(stderr) === `end-${i}\n` && exitCode === i % 3;
              if (good) tally.ok++;
              else tally.wrong++;
            } catch (err) {
              if (limit.aborted) {
                tally.hung++;
                hangs.push(await hangReport(lxd, name, i, at));
              }
              const kind = (err as Error).name;
              tally.errors[kind] = (tally.errors[kind] ?? 0) + 1;
            }
          }
        }),
      );
      console.log(
        `[lxd-fetch] ${name}: ${EXECS} execs at ${CONCURRENT} concurrent in ${Date.now() - started} ms: ${JSON.stringify(tally)}`,
      );
      for (const h of hangs) console.log(`[lxd-fetch] ${name}: hung exec ${JSON.stringify(h)}`);
      expect(tally).toEqual({ ok: EXECS, wrong: 0, hung: 0, errors: {} });
    });
  });
});
