// The Node transport's websocket client against a hand-written server on 127.0.0.1: framing
// (lengths, fragments, text = EOF), pings answered or not, the close handshake, and pause()
// holding a fast sender back through the socket's flow control.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { NodeWebSocket } from "../src/transport/node-websocket.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Server frame (unmasked). */
function frame(op: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | op;
  if (len >= 126 && len < 65536) (head[1] = 126), head.writeUInt16BE(len, 2);
  if (len >= 65536) (head[1] = 127), head.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([head, payload]);
}

/** Client frames (masked) parsed from what the server received. */
function clientFrames(data: Buffer): { op: number; payload: Buffer }[] {
  const out = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const op = data[at]! & 15;
    let len = data[at + 1]! & 127;
    let p = at + 2;
    if (len === 126) (len = data.readUInt16BE(p)), (p += 2);
    else if (len === 127) (len = Number(data.readBigUInt64BE(p))), (p += 8);
    const mask = data.subarray(p, p + 4);
    const payload = Buffer.from(data.subarray(p + 4, p + 4 + len).map((b, i) => b ^ mask[i % 4]!));
    out.push({ op, payload });
    at = p + 4 + len;
  }
  return out;
}

let server: Server | undefined;
const agent = new Agent();
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A websocket server on loopback; `onSocket` drives the server side by hand. */
async function serve(onSocket: (socket: Socket, received: () => Buffer) => void): Promise<string> {
  server = createServer();
  server.on("upgrade", (req, socket: Socket) => {
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}${GUID}`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => undefined);
    socket.on("end", () => socket.end()); // the client went: so does the server side
    onSocket(socket, () => Buffer.concat(chunks));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return `ws://127.0.0.1:${port}/ws`;
}

function collect(ws: NodeWebSocket) {
  const messages: (string | Uint8Array)[] = [];
  ws.addEventListener("message", (e) => messages.push((e as MessageEvent).data));
  const closed = new Promise<{ code: number }>((r) => ws.addEventListener("close", (e) => r(e as unknown as { code: number })));
  const opened = new Promise<void>((r, j) => {
    ws.addEventListener("open", () => r());
    ws.addEventListener("error", (e) => j((e as unknown as { error: Error }).error));
  });
  opened.catch(() => undefined); // awaited by the tests that expect an open
  return { messages, closed, opened };
}

describe("NodeWebSocket", () => {
  it("delivers 7-bit, 16-bit and 64-bit length frames and fragmented messages in order; a drop is close 1006", async () => {
    const big = Buffer.alloc(200_000, 7);
    const url = await serve((s) => {
      s.write(Buffer.concat([frame(2, Buffer.from("a")), frame(2, Buffer.alloc(300, 1)), frame(2, big)]));
      s.write(Buffer.concat([frame(2, Buffer.from("frag"), false), frame(0, Buffer.from("ment"))]));
      // A frame split across writes.
      const f = frame(2, Buffer.from("split"));
      s.write(f.subarray(0, 3));
      setTimeout(() => {
        s.write(Buffer.concat([f.subarray(3), frame(1, Buffer.alloc(0))]));
        s.destroy();
      }, 20);
    });
    const ws = new NodeWebSocket(url, agent);
    const { messages, closed } = collect(ws);
    expect((await closed).code).toBe(1006);
    expect(messages.map((m) => (typeof m === "string" ? `text:${m}` : m.byteLength))).toEqual([1, 300, 200_000, 8, 5, "text:"]);
    expect(Buffer.from(messages[3] as Uint8Array).toString()).toBe("fragment");
    expect(Buffer.from(messages[2] as Uint8Array).equals(big)).toBe(true);
  });

  it("answers pings by default, and never with answerPings: false (exec output sockets)", async () => {
    const got: Buffer[] = [];
    const url = await serve((s, received) => {
      s.write(frame(9, Buffer.from("keepalive")));
      setTimeout(() => {
        got.push(received());
        s.destroy();
      }, 100);
    });
    for (const answerPings of [true, false]) {
      const ws = new NodeWebSocket(url, agent, { answerPings });
      await collect(ws).closed;
    }
    expect(clientFrames(got[0]!)).toEqual([{ op: 10, payload: Buffer.from("keepalive") }]);
    expect(got[1]!.length).toBe(0);
  });

  it("sends masked binary and text frames; close() sends a close frame with the code", async () => {
    let received!: () => Buffer;
    const url = await serve((_s, r) => {
      received = r;
    });
    const ws = new NodeWebSocket(url, agent);
    const { opened, closed } = collect(ws);
    await opened;
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send(Buffer.alloc(70_000, 9));
    ws.send("");
    ws.close(1000);
    expect(ws.readyState).toBe(2);
    await closed;
    const frames = clientFrames(received());
    expect(frames.map((f) => [f.op, f.payload.length])).toEqual([
      [2, 3],
      [2, 70_000],
      [1, 0],
      [8, 2],
    ]);
    expect(frames[3]!.payload.readUInt16BE(0)).toBe(1000);
    expect(ws.readyState).toBe(3);
  });

  it("pause() stops reading, so the sender is held back by flow control; resume() delivers everything", async () => {
    const chunk = Buffer.alloc(64 * 1024, 5);
    const total = 256;
    let serverBlocked!: () => void;
    const blocked = new Promise<void>((r) => (serverBlocked = r));
    let written = 0;
    const url = await serve((s) => {
      const pump = () => {
        while (written < total) {
          written++;
          if (!s.write(frame(2, chunk))) {
            serverBlocked();
            return void s.once("drain", pump);
          }
        }
        s.end(frame(1, Buffer.alloc(0)));
      };
      pump();
    });
    const ws = new NodeWebSocket(url, agent);
    let bytes = 0;
    let eof = false;
    ws.addEventListener("message", (e) => {
      const d = (e as MessageEvent).data;
      if (typeof d === "string") eof = true;
      else bytes += (d as Uint8Array).byteLength;
    });
    await collect(ws).opened;
    ws.pause();
    await blocked;
    await new Promise((r) => setTimeout(r, 100));
    // Held back: far less than the 16 MiB was sent while paused.
    expect(written).toBeLessThan(total / 2);
    ws.resume();
    await collect(ws).closed;
    expect(eof).toBe(true);
    expect(bytes).toBe(total * chunk.length);
  });

  it("a 16-bit length header split across reads, and a ping between fragments, are handled", async () => {
    const url = await serve((s) => {
      const f = frame(2, Buffer.alloc(1000, 3));
      s.write(f.subarray(0, 3)); // first two header bytes and half the length
      setTimeout(() => {
        s.write(Buffer.concat([f.subarray(3), frame(1, Buffer.from("ab"), false), frame(9, Buffer.from("p")), frame(0, Buffer.from("c"))]));
        setTimeout(() => s.destroy(), 20);
      }, 20);
    });
    const ws = new NodeWebSocket(url, agent);
    const { messages, closed } = collect(ws);
    await closed;
    expect(messages.map((m) => (typeof m === "string" ? m : m.byteLength))).toEqual([1000, "abc"]);
  });

  it("a close frame from the server is answered, and its code reported", async () => {
    let received!: () => Buffer;
    const url = await serve((s, r) => {
      received = r;
      const payload = Buffer.alloc(2 + 3);
      payload.writeUInt16BE(4000, 0);
      payload.write("bye", 2);
      s.write(frame(8, payload));
    });
    const ws = new NodeWebSocket(url, agent);
    const closed = (await collect(ws).closed) as unknown as { code: number; reason: string };
    expect([closed.code, closed.reason]).toEqual([4000, "bye"]);
    expect(clientFrames(received()).map((f) => [f.op, f.payload.readUInt16BE(0)])).toEqual([[8, 4000]]);
  });

  it("a protocol error (a masked frame, a data frame inside a fragmented message) stops delivery: nothing after it", async () => {
    for (const bad of [
      Buffer.from([0x82, 0x81, 0, 0, 0, 0, 7]),
      Buffer.concat([frame(2, Buffer.from("a"), false), frame(2, Buffer.from("b"))]),
    ]) {
      const url = await serve((s) => s.write(Buffer.concat([frame(2, Buffer.from("ok")), bad, frame(2, Buffer.from("after"))])));
      const ws = new NodeWebSocket(url, agent);
      const { messages, closed } = collect(ws);
      expect((await closed).code).toBe(1002);
      expect(messages.map((m) => Buffer.from(m as Uint8Array).toString())).toEqual(["ok"]);
      await new Promise((r) => server!.close(r));
    }
    server = undefined;
  });

  it("an upgrade refused by the server is an error then a close, never an open", async () => {
    server = createServer((_, res) => res.writeHead(403).end("Forbidden"));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    const ws = new NodeWebSocket(`ws://127.0.0.1:${port}/ws`, agent);
    const events: string[] = [];
    for (const t of ["open", "error", "close"]) ws.addEventListener(t, () => events.push(t));
    await collect(ws).closed;
    expect(events).toEqual(["error", "close"]);
  });
});
