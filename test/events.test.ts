// The shared events stream against the virtual LXD: sharing, scopes, reconnects, ordering.
import { describe, expect, it } from "vitest";
import { AbortError, InvalidArgumentError, LxdFetchError, type LxdEvent, type OperationEvent } from "../src/index.js";
import { createTokenOperation } from "./support/token.js";
import { until, useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

/** Collects events from a subscription in the background. */
function collect(sub: AsyncIterable<LxdEvent>) {
  const seen: LxdEvent[] = [];
  const done = (async () => {
    for await (const e of sub) seen.push(e);
  })();
  done.catch(() => undefined);
  return { seen, done };
}

describe("events", () => {
  it("yields typed operation events as operations are created and end", async () => {
    const { client } = v.start();
    const sub = client.events("v", { types: ["operation"] });
    const { seen } = collect(sub);
    await sub.ready;
    const id = await createTokenOperation(client);
    await client.operations.delete("v", id);
    await until(() => seen.length >= 2);
    sub.close();
    const states = (seen as OperationEvent[]).filter((e) => e.metadata.id === id).map((e) => e.metadata.status);
    expect(states).toEqual(["Running", "Cancelled"]);
    expect(seen[0]).toMatchObject({ type: "operation", project: "default" });
  });

  it("one socket per remote and scope, shared, closed when the last consumer leaves", async () => {
    const { client, lxd } = v.start();
    const a = client.events("v", { types: ["operation"] });
    const b = client.events("v", { types: ["operation"] });
    await Promise.all([a.ready, b.ready]);
    expect(lxd.eventSockets).toBe(1);
    const c = client.events("v", { types: ["lifecycle"] });
    await c.ready;
    expect(lxd.eventSockets).toBe(2);
    const [ca, cb] = [collect(a), collect(b)];
    const id = await createTokenOperation(client);
    await until(() => ca.seen.length > 0 && cb.seen.length > 0);
    expect((ca.seen[0] as OperationEvent).metadata.id).toBe(id);
    expect((cb.seen[0] as OperationEvent).metadata.id).toBe(id);
    a.close();
    expect(lxd.eventSockets).toBe(2);
    b.close();
    c.close();
    await until(() => lxd.eventSockets === 0);
    await expect(ca.done).resolves.toBeUndefined();
  });

  it("reconnects after a drop and keeps delivering later events; onDisconnect and onReconnect tell of the gap", async () => {
    const { client, lxd } = v.start();
    let gaps = 0;
    const calls: string[] = [];
    const sub = client.events("v", {
      types: ["operation"],
      onReconnect: () => (gaps++, calls.push("reconnect")),
      onDisconnect: () => calls.push("disconnect"),
    });
    const { seen } = collect(sub);
    await sub.ready;
    expect(calls).toEqual([]);
    lxd.dropEventSockets();
    await until(() => lxd.eventSockets === 1);
    const id = await createTokenOperation(client);
    await until(() => seen.some((e) => (e as OperationEvent).metadata.id === id));
    expect(gaps).toBe(1);
    expect(calls).toEqual(["disconnect", "reconnect"]);
    sub.close();
  });

  it("drops a non-final update that arrives after the operation was final", async () => {
    const { client, lxd } = v.start();
    const sub = client.events("v", { types: ["operation"] });
    const { seen } = collect(sub);
    await sub.ready;
    const id = await createTokenOperation(client);
    await client.operations.delete("v", id);
    const stale = { ...lxd.operations.get(id)!.op, status: "Running", status_code: 103 };
    lxd.emit("operation", stale);
    const other = await createTokenOperation(client);
    await until(() => seen.some((e) => (e as OperationEvent).metadata.id === other));
    sub.close();
    const states = (seen as OperationEvent[]).filter((e) => e.metadata.id === id).map((e) => e.metadata.status);
    expect(states).toEqual(["Running", "Cancelled"]);
  });

  it("abort ends the iteration with AbortError and leaves the socket", async () => {
    const { client, lxd } = v.start();
    const ac = new AbortController();
    const sub = client.events("v", { signal: ac.signal });
    const { done } = collect(sub);
    await sub.ready;
    ac.abort();
    await expect(done).rejects.toBeInstanceOf(AbortError);
    await until(() => lxd.eventSockets === 0);
  });

  it("a consumer that falls too far behind gets an error instead of losing events", async () => {
    const { client } = v.start();
    const sub = client.events("v", { types: ["operation"], maxQueued: 2 });
    await sub.ready;
    for (let i = 0; i < 3; i++) await createTokenOperation(client);
    const it = sub[Symbol.asyncIterator]();
    await expect(it.next()).resolves.toMatchObject({ done: false });
    await expect(it.next()).resolves.toMatchObject({ done: false });
    await expect(it.next()).rejects.toThrow(/fell 2 events behind/);
  });

  it("refused events sockets end the iteration with the connection error", async () => {
    const { client } = v.start({ traps: { refuseEvents: true } });
    const sub = client.events("v");
    await expect(sub.ready).rejects.toBeInstanceOf(LxdFetchError);
    await expect(collect(sub).done).rejects.toThrow(/events websocket/);
  });

  it("checks the scope before connecting", () => {
    const { client } = v.start();
    expect(() => client.events("v", { project: "p", allProjects: true })).toThrow(InvalidArgumentError);
    expect(() => client.events("v", { types: ["nope" as "operation"] })).toThrow(/unknown type "nope"/);
  });
});

describe("retryDelay", () => {
  it("retries every ~100 ms for 15 s after a drop, then grows with the time down to at most 2 s", async () => {
    const { retryDelay } = await import("../src/capabilities/events.js");
    for (const down of [0, 1000, 14_999])
      for (let i = 0; i < 20; i++) expect(retryDelay(down)).toBeGreaterThanOrEqual(75), expect(retryDelay(down)).toBeLessThanOrEqual(125);
    const later = Array.from({ length: 50 }, () => retryDelay(15_001));
    expect(Math.min(...later)).toBeGreaterThanOrEqual(75);
    expect(Math.min(...Array.from({ length: 50 }, () => retryDelay(19_000)))).toBeGreaterThan(500);
    for (const down of [30_000, 600_000])
      for (let i = 0; i < 50; i++)
        expect(retryDelay(down)).toBeLessThanOrEqual(2000), expect(retryDelay(down)).toBeGreaterThanOrEqual(1500);
  });
});
