// The server gave up waiting for an exec's websockets before the command started (LXD and Incus
// after 5 s under load: the operation fails "Timed out waiting for websockets to connect" and
// later sockets get "Only running operations can be connected"). The command never ran, so exec
// sends it again, counts it, and says so with a typed error when every attempt ended that way.
import { describe, expect, it } from "vitest";
import { AbortError, ConnectionError, createLxd, ExecNotStartedError, OperationError } from "../src/index.js";
import { until, useVirtualLxd } from "./support/virtual.js";

const posts = (requests: string[]) => requests.filter((r) => r.startsWith("POST /1.0/instances/c1/exec")).length;

describe("exec: the server stopped waiting for the websockets", () => {
  const v = useVirtualLxd();

  it("is sent again and counted: run() succeeds on the second operation, the command ran once", async () => {
    const { client, lxd } = v.start({ traps: { socketsTimeout: 1 } });
    const r = await client.run("v", "c1", ["sh", "-c", "echo out; echo err >&2; exit 3"], { output: "stream" });
    expect({ exit: r.exitCode, out: r.text(), err: r.text("stderr"), attempts: r.attempts }).toEqual({
      exit: 3,
      out: "out\n",
      err: "err\n",
      attempts: 2,
    });
    expect(posts(lxd.requests)).toBe(2);
  });

  it("exec() reports the attempts on the process and on its exit", async () => {
    const { client } = v.start({ traps: { socketsTimeout: 2 } });
    const proc = await client.exec("v", "c1", ["true"]);
    await proc.stdin.close();
    expect(proc.attempts).toBe(3);
    expect((await proc.exited).attempts).toBe(3);
  });

  it("after three such attempts it is an ExecNotStartedError naming them, never a fourth POST", async () => {
    const { client, lxd } = v.start({ traps: { socketsTimeout: 5 } });
    const err = await client.run("v", "c1", ["true"], { output: "stream" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecNotStartedError);
    expect(err).toMatchObject({ attempts: 3, operation: { status: "Failure", err: "Timed out waiting for websockets to connect" } });
    expect((err as Error).message).toMatch(/never ran \(3 attempts\)/);
    expect(JSON.stringify((err as ExecNotStartedError).operation)).not.toMatch(/[0-9a-f]{64}/); // no websocket secret
    expect(posts(lxd.requests)).toBe(3);
  });

  it("an abort while it waits to send again is an AbortError, and nothing more is sent", async () => {
    const { client, lxd } = v.start({ traps: { socketsTimeout: 5 } });
    const ac = new AbortController();
    const pending = client.run("v", "c1", ["true"], { signal: ac.signal }).catch((e: unknown) => e);
    await until(() => posts(lxd.requests) === 1 && [...lxd.operations.values()].every((m) => m.op.status_code >= 200));
    await new Promise((r) => setTimeout(r, 100)); // the verdict is read, the pause begun
    ac.abort();
    expect(await pending).toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 1200)); // past the pause: no second POST
    expect(posts(lxd.requests)).toBe(1);
  });

  it("a refused certificate is not retried nor waited on: its ConnectionError at once, one POST", async () => {
    const { lxd } = v.start();
    const Refusing = class {
      constructor() {
        throw Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
      }
    } as unknown as typeof WebSocket;
    const c = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: Refusing });
    const started = Date.now();
    const err = await c.run("v", "c1", ["true"], { output: "stream" }).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(ConnectionError);
    // Waiting for the server's verdict would take 12 s (VERDICT_MS in exec.ts): half of it proves none was waited for.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(posts(lxd.requests)).toBe(1);
  });

  it("any other failure to start is not retried: one POST, the operation's own error", async () => {
    const { client, lxd } = v.start({ traps: { failBeforeStart: true } });
    const err = await client.run("v", "c1", ["true"], { output: "stream" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(posts(lxd.requests)).toBe(1);
  });
});
