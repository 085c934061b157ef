// The Operation handle against the virtual LXD: waiting through events, the race-closing GET,
// reconnects, and the /wait fallback when events are unavailable.
import { describe, expect, it, vi } from "vitest";
import { AbortError, OperationError, OperationGoneError, TimeoutError } from "../src/index.js";
import { createTokenOperation } from "./support/token.js";
import { until, useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

function countRequests(path: RegExp): { n: number } {
  const c = { n: 0 };
  v.server.events.on("request:start", ({ request }) => {
    if (path.test(new URL(request.url).pathname)) c.n++;
  });
  return c;
}

describe("operation handle", () => {
  it("on an events socket that has carried an event, wait() follows events alone: no GET, no /wait", async () => {
    const { client, lxd } = v.start();
    // LXD adds a socket's listener some time after the upgrade: only an event received proves it.
    const sub = client.events("v", { types: ["operation"] });
    const heard = sub[Symbol.asyncIterator]().next();
    await sub.ready;
    await until(() => lxd.eventSockets === 1);
    const token = await createTokenOperation(client); // its creation event reaches the socket
    await heard;
    const waits = countRequests(/\/wait$/);
    const gets = countRequests(/\/1\.0\/operations\/[0-9a-f-]+$/);
    const op = await client.instances.setState("v", "c1", { action: "stop", timeout: 30 });
    expect(op.current.status_code).toBe(103);
    const done = await op.wait({ timeout: 5000 });
    expect(done).toMatchObject({ id: op.id, status: "Success", status_code: 200 });
    expect(op.done).toBe(true);
    expect({ waits: waits.n, gets: gets.n }).toEqual({ waits: 0, gets: 0 });
    expect(lxd.instances.get("c1")?.status).toBe("Stopped");
    await client.operations.delete("v", token);
    sub.close();
  });

  it("a listener that LXD adds seconds after the socket opened (load): the end is seen by GETs, never lost", async () => {
    // The socket is open at once, but events reach it only 3 s later: an operation that ends at
    // 1.5 s has no event. GETs continue until an event proves the listener exists.
    const { client } = v.start({ traps: { listenAfterMs: 3000 } });
    const r = await client.run("v", "c1", ["sleep", "1.5"]); // no event will ever tell its end
    expect({ exit: r.exitCode, output: r.output }).toEqual({ exit: 0, output: "record" });
  });

  it("on a socket just opened, an end whose event is lost is seen by a GET", async () => {
    const { client, lxd } = v.start();
    const waits = countRequests(/\/wait$/);
    const gets = countRequests(/\/1\.0\/operations\/[0-9a-f-]+$/);
    const op = await client.instances.setState("v", "c1", { action: "stop", timeout: 30 });
    // The end's event never reaches the socket, as when it fell before LXD added its listener.
    lxd.traps.loseFinalEvent = true;
    await expect(op.wait({ timeout: 5000 })).resolves.toMatchObject({ id: op.id, status_code: 200 });
    expect(waits.n).toBe(0);
    expect(gets.n).toBeGreaterThanOrEqual(1); // a GET before an event proved the socket listens
  });

  it("onUpdate sees every new state until unsubscribed", async () => {
    const { client, lxd } = v.start({ retentionMs: 60_000 });
    const op = client.operations.track("v", await createTokenOperation(client));
    const seen: unknown[] = [];
    const off = op.onUpdate((o) => seen.push(o.metadata?.progress));
    await until(() => lxd.eventSockets === 1);
    const running = lxd.operations.get(op.id)!.op;
    lxd.emit("operation", { ...running, metadata: { ...running.metadata, progress: "1" } });
    lxd.emit("operation", { ...running, metadata: { ...running.metadata, progress: "2" } });
    await until(() => seen.length === 2);
    expect(seen).toEqual(["1", "2"]);
    off();
    off(); // a second call changes nothing
    await op.cancel();
    await op.refresh(); // the handle sees the end; the removed handler does not
    expect(op.current.status_code).toBe(401);
    expect(seen).toEqual(["1", "2"]);
  });

  it("a late wait() resolves from the state cached while the creation hold was on", async () => {
    const { client, lxd } = v.start({ retentionMs: 50 });
    const op = await client.instances.setState("v", "c1", { action: "stop" });
    await until(() => !lxd.operations.has(op.id)); // finished, and forgotten by LXD
    await expect(op.wait()).resolves.toMatchObject({ status_code: 200 });
  });

  it("cancel() then wait() rejects with OperationError Cancelled", async () => {
    const { client } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    await op.cancel();
    await expect(op.wait({ timeout: 2000 })).rejects.toMatchObject({ name: "OperationError", statusCode: 401 });
  });

  it("track() of a finished-and-forgotten id: OperationGoneError", async () => {
    const { client, lxd } = v.start({ retentionMs: 10 });
    const id = await createTokenOperation(client);
    await client.operations.delete("v", id);
    await until(() => !lxd.operations.has(id));
    await expect(client.operations.track("v", id).wait({ timeout: 2000 })).rejects.toBeInstanceOf(OperationGoneError);
  });

  it("after a reconnect it re-checks with a GET and sees an end it missed", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const result = op.wait({ timeout: 5000 }).catch((e: unknown) => e);
    await until(() => lxd.eventSockets === 1);
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
    await until(() => lxd.eventSockets === 1);
    lxd.traps.refuseEvents = true;
    lxd.dropEventSockets();
    await until(() => lxd.requests.some((r) => r.includes(`/${op.id}/wait`))); // the fallback is waiting
    await client.operations.delete("v", op.id); // ends while no events socket is up
    expect(await result).toMatchObject({ name: "OperationError", statusCode: 401 });
    expect(op.done).toBe(true);
  });

  it("a wait() that starts while the events socket is reconnecting goes to /wait at once, not to the events alone", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const stop = op.onUpdate(() => undefined); // holds the subscription across the drop
    await until(() => lxd.eventSockets === 1);
    lxd.traps.refuseEvents = true;
    lxd.dropEventSockets();
    const reconnects = () => lxd.requests.filter((r) => r.startsWith("WS /1.0/events")).length;
    await until(() => reconnects() >= 2); // the client saw the drop and is trying again
    const result = op.wait({ timeout: 3000 }).catch((e: unknown) => e);
    await until(() => lxd.requests.some((r) => r.startsWith(`GET /1.0/operations/${op.id}/wait`)), 1000);
    await client.operations.delete("v", op.id); // ends while the events are still down
    expect(await result).toMatchObject({ name: "OperationError", statusCode: 401 });
    stop();
  });

  it("timeout and signal hold while the events socket cannot reconnect", async () => {
    const { client, lxd } = v.start();
    const op = client.operations.track("v", await createTokenOperation(client));
    const timed = op.wait({ timeout: 400 }).catch((e: unknown) => e);
    const ac = new AbortController();
    const aborted = op.wait({ signal: ac.signal }).catch((e: unknown) => e);
    await until(() => lxd.eventSockets === 1);
    lxd.traps.refuseEvents = true;
    lxd.dropEventSockets();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    expect(await aborted).toBeInstanceOf(AbortError);
    expect(await timed).toBeInstanceOf(TimeoutError);
    // Without the deadline and the signal both waits would hang: a bound well above 400 ms proves it on a slow machine.
    expect(Date.now() - started).toBeLessThan(5000);
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

  it("falls back to /wait when events are unavailable, and the fallback's answer updates the handle", async () => {
    const { client, lxd } = v.start({ traps: { refuseEvents: true } });
    const waits = countRequests(/\/wait$/);
    const op = await client.instances.setState("v", "c1", { action: "stop" });
    await expect(op.wait({ timeout: 5000 })).resolves.toMatchObject({ status_code: 200 });
    expect(waits.n).toBeGreaterThan(0);
    expect(lxd.eventSockets).toBe(0);
    expect(op.done).toBe(true);
    expect(op.current.status_code).toBe(200);
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
    // Fake timers: the linger (1000 ms by default) is measured on the clock the client reads.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      for (const action of ["stop", "start", "restart"]) {
        const done = (await client.instances.setState("v", "c1", { action })).wait();
        await vi.advanceTimersByTimeAsync(20); // the virtual LXD finishes the operation
        await done;
      }
      expect(lxd.eventConnections).toBe(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(lxd.eventSockets).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(lxd.eventSockets).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("close() ends a lingering events socket at once; eventsLinger: 0 never lingers", async () => {
    const { client, lxd } = v.start();
    await (await client.instances.setState("v", "c1", { action: "stop" })).wait();
    expect(lxd.eventSockets).toBe(1);
    await client.close();
    await until(() => lxd.eventSockets === 0, 100); // at once, not after the linger

    const { createLxd } = await import("../src/index.js");
    const eager = createLxd({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket, eventsLinger: 0 });
    await (await eager.instances.setState("v", "c1", { action: "start" })).wait();
    await until(() => lxd.eventSockets === 0, 100);
    await eager.close();
  });
});
