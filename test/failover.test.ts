// A cluster remote (several member URLs) through the Node transport against local HTTP servers:
// an unreachable member is skipped and the one that answers is kept; a request that reached a
// member and failed mid-way is never sent again (unless it only reads); websockets open through
// the member in use and move it on when they cannot open.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConnectionError, createLxd, InvalidArgumentError } from "../src/index.js";
import { failoverTransport, neverSent } from "../src/transport/failover.js";
import type { Transport } from "../src/transport/types.js";

const envelope = (metadata: unknown) =>
  JSON.stringify({ type: "sync", status: "Success", status_code: 200, operation: "", error_code: 0, error: "", metadata });

interface Member {
  url: string;
  seen: { method: string; path: string; body: string }[];
  /** Drop the connection once the request has arrived, instead of answering. */
  dropMidway: boolean;
  server: Server;
}

async function member(): Promise<Member> {
  const m: Member = { url: "", seen: [], dropMidway: false, server: undefined as unknown as Server };
  m.server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      m.seen.push({ method: req.method ?? "", path: req.url ?? "", body });
      if (m.dropMidway) return req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end(envelope({ member: m.url }));
    });
  });
  await new Promise<void>((r) => m.server.listen(0, "127.0.0.1", r));
  m.url = `http://127.0.0.1:${(m.server.address() as AddressInfo).port}`;
  return m;
}

/** A URL nothing listens on: connecting is refused. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  return url;
}

let a: Member;
let b: Member;
let dead: string;
beforeAll(async () => {
  [a, b, dead] = await Promise.all([member(), member(), deadUrl()]);
});
afterAll(() => Promise.all([a, b].map((m) => new Promise<void>((r) => m.server.close(() => r())))));
beforeEach(() => {
  for (const m of [a, b]) {
    m.seen.length = 0;
    m.dropMidway = false;
  }
});

describe("cluster remote over the Node transport", () => {
  it("skips a refused member, keeps the one that answered, and sends it the same body", async () => {
    const lxd = createLxd({ remotes: { c: { url: [dead, a.url, b.url] } }, defaultRemote: "c" });
    const api = lxd.api("c");
    const first = await api.POST("/1.0/instances/{name}/exec", {
      params: { path: { name: "c1" } },
      body: { command: ["true"], "wait-for-websocket": false },
    });
    expect(first.response.status).toBe(200);
    expect(a.seen).toEqual([{ method: "POST", path: "/1.0/instances/c1/exec", body: '{"command":["true"],"wait-for-websocket":false}' }]);
    // The member that answered is kept: the next requests go to it first, the dead one untried.
    await lxd.operations.list("c");
    expect(a.seen.map((s) => s.path)).toEqual(["/1.0/instances/c1/exec", "/1.0/operations"]);
    expect(b.seen).toEqual([]);
    await lxd.close();
  });

  it("a streamed file push skips a refused member and reaches the next one whole", async () => {
    const lxd = createLxd({ remotes: { c: { url: [dead, a.url] } }, defaultRemote: "c" });
    const parts = ["one ", "two ", "three"];
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => (parts.length ? c.enqueue(new TextEncoder().encode(parts.shift())) : c.close()),
    });
    await lxd.files.push("c", "c1", "/root/x", body);
    expect(a.seen).toEqual([{ method: "POST", path: "/1.0/instances/c1/files?path=%2Froot%2Fx", body: "one two three" }]);
    await lxd.close();
  });

  it("never resends a request that reached a member and failed mid-way: a typed error", async () => {
    a.dropMidway = true;
    const lxd = createLxd({ remotes: { c: { url: [a.url, b.url] } }, defaultRemote: "c" });
    const id = "6916ec7b-8e65-4a3b-9d2c-0b6c1e1c2f3a";
    const err = await lxd.operations.delete("c", id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(a.seen.map((s) => `${s.method} ${s.path}`)).toEqual([`DELETE /1.0/operations/${id}`]);
    expect(b.seen).toEqual([]);
    await lxd.close();
  });

  it("sends a read that failed mid-way to the next member", async () => {
    a.dropMidway = true;
    const lxd = createLxd({ remotes: { c: { url: [a.url, b.url] } }, defaultRemote: "c" });
    expect(await lxd.operations.list("c")).toEqual({ member: b.url });
    expect(a.seen.map((s) => s.method)).toEqual(["GET"]);
    expect(b.seen.map((s) => s.method)).toEqual(["GET"]);
    await lxd.close();
  });

  it("fails with a ConnectionError when no member can be reached", async () => {
    const lxd = createLxd({ remotes: { c: { url: [dead, dead] } }, defaultRemote: "c" });
    const err = await lxd.operations.list("c").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe("ECONNREFUSED");
    await lxd.close();
  });

  it("refuses bad member lists before sending", () => {
    expect(() => createLxd({ remotes: { c: { url: [] } } })).toThrow(InvalidArgumentError);
    expect(() => createLxd({ remotes: { c: { url: [a.url, ""] } } })).toThrow(InvalidArgumentError);
    expect(() => createLxd({ remotes: { c: { url: [a.url, 5 as unknown as string] } } })).toThrow(InvalidArgumentError);
    expect(() => createLxd({ remotes: { c: { url: [a.url, "ftp://x"] } } })).toThrow(InvalidArgumentError);
  });
});

/** A member transport whose websockets fail (close before opening) or open, as told. */
function fakeMember(origin: string, opens: boolean): Transport & { sockets: string[] } {
  const sockets: string[] = [];
  return {
    baseUrl: origin,
    sockets,
    fetch: () =>
      Promise.reject(
        Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }) }),
      ),
    webSocket(url) {
      sockets.push(url);
      const ws = new EventTarget() as WebSocket;
      queueMicrotask(() => ws.dispatchEvent(new Event(opens ? "open" : "close")));
      return ws;
    },
    close: async () => undefined,
  };
}

describe("failoverTransport websockets", () => {
  it("open through the member in use, and one that cannot open moves it to the next", async () => {
    const m1 = fakeMember("https://127.0.1.1:8443", false);
    const m2 = fakeMember("https://127.0.1.2:8443", true);
    const t = failoverTransport([m1, m2]);
    const url = `${t.baseUrl.replace(/^http/, "ws")}/1.0/events?type=operation`;
    t.webSocket(url);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.baseUrl).toBe("https://127.0.1.2:8443");
    t.webSocket(url); // the events stream's reconnect: the same URL it was built with
    await new Promise((r) => setTimeout(r, 0));
    expect(m1.sockets).toEqual(["wss://127.0.1.1:8443/1.0/events?type=operation"]);
    expect(m2.sockets).toEqual(["wss://127.0.1.2:8443/1.0/events?type=operation"]);
    expect(t.baseUrl).toBe("https://127.0.1.2:8443"); // an open socket keeps it
  });

  it("says which failures never sent a byte", () => {
    const wrapped = (code: string, message = "x") => new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });
    expect(neverSent(wrapped("ECONNREFUSED"))).toBe(true);
    expect(neverSent(wrapped("DEPTH_ZERO_SELF_SIGNED_CERT"))).toBe(true);
    expect(neverSent(wrapped("ECONNRESET", "Client network socket disconnected before secure TLS connection was established"))).toBe(true);
    expect(
      neverSent(new TypeError("error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)")),
    ).toBe(true);
    expect(neverSent(wrapped("ECONNRESET", "read ECONNRESET"))).toBe(false);
    expect(neverSent(wrapped("UND_ERR_SOCKET", "other side closed"))).toBe(false);
  });
});
