// The Operation handle against the virtual LXD: waiting through events, the race-closing GET,
// reconnects, and the /wait fallback when events are unavailable.
import { describe, expect, it } from "vitest";
import { AbortError, OperationError, OperationGoneError, TimeoutError } from "../src/index.js";
import { createTokenOperation } from "./support/token.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

function countRequests(path: RegExp): { n: number } {
  const c = { n: 0 };
  v.server.events.on("request:start", ({ request }) => {
    if (path.test(new URL(request.url).pathname)) c.n++;
  });
  return c;
}

describe("operation handle", () => {
  it("setState returns a handle whose wait() follows events, with no /wait request", async () => {
    const { client, lxd } = v.start();
    const waits = countRequests(/\/wait$/);
    const op = await client.instances.setState("v", "c1", { action: "stop", timeout: 30 });
    expect(op.current.status_code).toBe(103);
    const done = await op.wait({ timeout: 5000 });
    expect(done).toMatchObject({ id: op.id, status: "Success", status_code: 200 });
    expect(op.done).toBe(true);
    expect(waits.n).toBe(0);
    expect(lxd.instances.get("c1")?.status).toBe("Stopped");
  });

  it("onUpdate sees every new state until unsubscribed", async () => {
    const { client } = v.start();
    const op = await client.instances.setState("v", "c1", { action: "restart" });
    const states: number[] = [];
    const off = op.onUpdate((o) => states.push(o.status_code));
    await op.wait();
    off();
    expect(states.at(-1)).toBe(200);
  });

  it("a late wait() resolves from the state cached while the creation hold was on", async () => {
    const { client } = v.start({ retentionMs: 50 });
    const op = await client.instances.setState("v", "c1", { action: "stop" });
    await new Promise((r) => setTimeout(r, 200)); // finished, and forgotten by LXD
    await expect(op.wait()).resolves.toMatchObject({ status_code: 200 });
  });

  it("cancel() then wait() rejects with OperationError Cancelled", async () => {
    const { client } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    await op.cancel();
    await expect(op.wait({ timeout: 2000 })).rejects.toMatchObject({ name: "OperationError", statusCode: 401 });
  });

  it("track() of a finished-and-forgotten id: OperationGoneError", async () => {
    const { client } = v.start({ retentionMs: 10 });
    const id = await createTokenOperation(client);
    await client.operations.delete("v", id);
    await new Promise((r) => setTimeout(r, 50));
    await expect(client.operations.track("v", id).wait({ timeout: 2000 })).rejects.toBeInstanceOf(OperationGoneError);
  });

  it("after a reconnect it re-checks with a GET and sees an end it missed", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const result = op.wait({ timeout: 5000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    lxd.dropEventSockets();
    await client.operations.delete("v", op.id); // ends while nobody listens
    const err = await result;
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ statusCode: 401 });
  });

  it("while the events socket is down, /wait covers the gap and reports the real outcome", async () => {
    const { client, lxd } = v.start({ retentionMs: 1 });
    const op = client.operations.track("v", await createTokenOperation(client));
    const result = op.wait({ timeout: 5000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    lxd.traps.refuseEvents = true;
    lxd.dropEventSockets();
    await new Promise((r) => setTimeout(r, 30));
    await client.operations.delete("v", op.id); // ends while no events socket is up
    expect(await result).toMatchObject({ name: "OperationError", statusCode: 401 });
    expect(op.done).toBe(true);
  });

  it("timeout and signal hold while the events socket cannot reconnect", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const timed = op.wait({ timeout: 400 }).catch((e: unknown) => e);
    const ac = new AbortController();
    const aborted = op.wait({ signal: ac.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 30));
    lxd.traps.refuseEvents = true;
    lxd.dropEventSockets();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    expect(await aborted).toBeInstanceOf(AbortError);
    expect(await timed).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
    await op.cancel();
  });

  it("a throwing onUpdate handler does not stop wait() or the other handlers", async () => {
    const { client } = v.start();
    const reported: unknown[] = [];
    const g = globalThis as { reportError?: (e: unknown) => void };
    const original = g.reportError;
    g.reportError = (e) => reported.push(e);
    try {
      const op = await client.instances.setState("v", "c1", { action: "stop" });
      const seen: number[] = [];
      op.onUpdate(() => {
        throw new Error("handler bug");
      });
      op.onUpdate((o) => seen.push(o.status_code));
      await expect(op.wait({ timeout: 5000 })).resolves.toMatchObject({ status_code: 200 });
      expect(seen.at(-1)).toBe(200);
      expect(reported).toContainEqual(new Error("handler bug"));
    } finally {
      if (original) g.reportError = original;
      else delete g.reportError;
    }
  });

  it("errors never carry a token operation's secret", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const secret = lxd.operations.get(op.id)!.op.metadata!.secret as string;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const err = (await op.wait({ timeout: 50 }).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.operation?.metadata).toMatchObject({ secret: "[redacted]" });
    const { inspect } = await import("node:util");
    expect(`${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`).not.toContain(secret);
    await op.cancel();
  });

  it("the /wait fallback updates the handle", async () => {
    const { client } = v.start({ traps: { refuseEvents: true } });
    const op = await client.instances.setState("v", "c1", { action: "stop" });
    await op.wait({ timeout: 5000 });
    expect(op.done).toBe(true);
    expect(op.current.status_code).toBe(200);
  });

  it("falls back to /wait when events are unavailable", async () => {
    const { client } = v.start({ traps: { refuseEvents: true } });
    const waits = countRequests(/\/wait$/);
    const op = await client.instances.setState("v", "c1", { action: "stop" });
    await expect(op.wait({ timeout: 5000 })).resolves.toMatchObject({ status_code: 200 });
    expect(waits.n).toBeGreaterThan(0);
  });

  it("timeout and abort", async () => {
    const { client } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const t = await op.wait({ timeout: 100 }).catch((e: unknown) => e);
    expect(t).toBeInstanceOf(TimeoutError);
    expect((t as TimeoutError).operation?.id).toBe(op.id);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(op.wait({ signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    await op.cancel();
  });

  it("sequential operations reuse one lingering events socket; it closes after the linger", async () => {
    const { client, lxd } = v.start();
    for (const action of ["stop", "start", "restart"]) await (await client.instances.setState("v", "c1", { action })).wait();
    expect(lxd.eventConnections).toBe(1);
    expect(lxd.eventSockets).toBe(1);
    const released = Date.now();
    while (lxd.eventSockets > 0 && Date.now() - released < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(lxd.eventSockets).toBe(0);
    expect(Date.now() - released).toBeGreaterThanOrEqual(900);
  });

  it("close() ends a lingering events socket at once; eventsLinger: 0 never lingers", async () => {
    const { client, lxd } = v.start();
    await (await client.instances.setState("v", "c1", { action: "stop" })).wait();
    expect(lxd.eventSockets).toBe(1);
    await client.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(lxd.eventSockets).toBe(0);

    const { createLxd } = await import("../src/index.js");
    const eager = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket, eventsLinger: 0 });
    await (await eager.instances.setState("v", "c1", { action: "start" })).wait();
    await new Promise((r) => setTimeout(r, 10));
    expect(lxd.eventSockets).toBe(0);
    await eager.close();
  });
});
