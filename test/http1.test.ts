// The HTTP/1.1 exchange the Bun transport drives itself for file contents (src/transport/http1.ts,
// bun-connect.ts, bun-http.ts): the framing on its own, then files.pull/push end to end against a
// server on a unix socket, with `Bun.connect` played by node:net (vitest runs under Node; the
// native CLI's own tests run the real one: LXD_FETCH_CLI, package.json's test:native).
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bunTransport } from "../src/transport/bun.js";
import { chunkFrame, CLOSED_EARLY, LAST_CHUNK, requestHead, type ResponseHead, ResponseParser } from "../src/transport/http1.js";
import { ConnectionError, createLxd, LxdError } from "../src/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256);
const concat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

/** Feeds `wire` to a parser in pieces of `step` bytes; what it reported. */
function parse(wire: Uint8Array, step: number, method = "GET") {
  const out = { head: undefined as ResponseHead | undefined, body: [] as Uint8Array[], ended: false };
  const p = new ResponseParser(
    {
      head: (h) => {
        out.head = h;
      },
      body: (b) => out.body.push(b.slice()),
      end: () => {
        out.ended = true;
      },
    },
    method,
  );
  for (let at = 0; at < wire.length; at += step) p.push(wire.subarray(at, at + step));
  return { ...out, parser: p, text: dec.decode(concat(out.body)) };
}

describe("HTTP/1.1 framing", () => {
  it("writes the request head with the caller's headers and its own framing", () => {
    const headers = new Headers({ authorization: "Bearer t", "content-length": "9", connection: "keep-alive", "x-lxd-type": "file" });
    const head = dec.decode(requestHead("POST", new URL("http://unix/1.0/instances/c/files?path=%2Fa"), headers, "chunked"));
    expect(head).toBe(
      "POST /1.0/instances/c/files?path=%2Fa HTTP/1.1\r\nHost: unix\r\nauthorization: Bearer t\r\nx-lxd-type: file\r\n" +
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    const get = dec.decode(requestHead("GET", new URL("https://h:8443/1.0"), new Headers(), undefined));
    expect(get).toBe("GET /1.0 HTTP/1.1\r\nHost: h:8443\r\nConnection: close\r\n\r\n");
    expect(dec.decode(requestHead("POST", new URL("http://unix/x"), new Headers(), 12))).toContain("\r\nContent-Length: 12\r\n");
  });

  it("frames chunks out, and reads chunked bodies in, whatever the pieces they arrive in", () => {
    const data = bytes(1000);
    const frames = concat([...chunkFrame(data.subarray(0, 300)), ...chunkFrame(data.subarray(300)), LAST_CHUNK]);
    expect(dec.decode(frames.subarray(0, 5))).toBe("12c\r\n");
    const wire = concat([enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-LXD-type: file\r\n\r\n"), frames]);
    for (const step of [1, 3, 7, 64, wire.length]) {
      const r = parse(wire, step);
      expect(r.head).toEqual({
        status: 200,
        statusText: "OK",
        headers: [
          ["transfer-encoding", "chunked"],
          ["x-lxd-type", "file"],
        ],
      });
      expect(concat(r.body).equals(Buffer.from(data))).toBe(true);
      expect(r.ended).toBe(true);
    }
  });

  it("reads a Content-Length body, skips a 100 Continue, and ends a HEAD answer at its head", () => {
    const r = parse(enc.encode("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhello"), 4);
    expect(r.head?.status).toBe(404);
    expect(r.head?.statusText).toBe("Not Found");
    expect(r.text).toBe("hello");
    expect(r.ended).toBe(true);
    const head = parse(enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), 100, "HEAD");
    expect(head.ended).toBe(true);
    expect(head.body).toEqual([]);
  });

  it("fails a body cut short at the close, and ends one read until the close", () => {
    const cut = parse(enc.encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), 5);
    expect(cut.ended).toBe(false);
    expect(() => cut.parser.close()).toThrow(expect.objectContaining({ code: CLOSED_EARLY }));
    const chunked = parse(enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"), 5);
    expect(() => chunked.parser.close()).toThrow(/before the end of the response body/);
    const noHead = parse(enc.encode("HTTP/1.1 200"), 5);
    expect(() => noHead.parser.close()).toThrow(/before the response/);
    const open = parse(enc.encode("HTTP/1.1 200 OK\r\n\r\nuntil the end"), 5);
    expect(open.ended).toBe(false);
    open.parser.close();
    expect(open.parser.done).toBe(true);
    expect(open.text).toBe("until the end");
  });

  it("refuses what is not HTTP/1.1", () => {
    expect(() => parse(enc.encode("SSH-2.0-OpenSSH\r\n\r\n"), 100)).toThrow(/status line/);
    expect(() => parse(enc.encode("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"), 100)).toThrow(/Content-Length/);
    expect(() => parse(enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), 100)).toThrow(/chunk size/);
    expect(() => parse(enc.encode("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), 100)).toThrow(/Transfer-Encoding/);
  });
});

// Bun.connect's callbacks over a node:net socket: what bun-connect.ts uses of it.
interface FakeHandlers {
  data(s: unknown, d: Uint8Array): void;
  drain(s: unknown): void;
  close(s: unknown): void;
  end(s: unknown): void;
  error(s: unknown, e: Error): void;
}
const g = globalThis as { Bun?: unknown };
/** What the fake socket saw: bytes the kernel took (at most `writeLimit` per write), bytes handed to the transport. */
const wire = { written: 0, delivered: 0, writeLimit: Number.POSITIVE_INFINITY };
beforeAll(() => {
  g.Bun = {
    connect: async ({ unix, socket: h }: { unix: string; socket: FakeHandlers }) => {
      const s: Socket = connect(unix);
      await once(s, "connect");
      const bun = {
        // Like Bun's write: takes what "the kernel" takes now, and says `drain` later for the rest.
        write: (d: Uint8Array) => {
          const n = Math.min(d.byteLength, wire.writeLimit);
          s.write(d.subarray(0, n));
          wire.written += n;
          if (n < d.byteLength) setImmediate(() => h.drain(bun));
          return n;
        },
        end: () => s.end(),
        terminate: () => s.destroy(),
        pause: () => s.pause(),
        resume: () => s.resume(),
      };
      s.on("data", (d) => {
        wire.delivered += d.byteLength;
        h.data(bun, d);
      });
      s.on("end", () => h.end(bun));
      s.on("close", () => h.close(bun));
      s.on("error", (e) => h.error(bun, e));
      return bun;
    },
  };
});

describe("file contents over the transport's own connection", () => {
  const dir = mkdtempSync(join(tmpdir(), "lfb-http1-"));
  const path = join(dir, "lxd.socket");
  let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void = () => undefined;
  let server: Server;
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const p of req) parts.push(p as Buffer);
      handler(req, res, Buffer.concat(parts));
    });
    server.listen(path);
    await once(server, "listening");
  });
  afterEach(() => {
    handler = () => undefined;
    wire.writeLimit = Number.POSITIVE_INFINITY;
  });
  afterAll(() => {
    delete g.Bun;
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = () => createLxd({ remotes: { local: { socket: path } }, transport: (n, c) => bunTransport(n, c, { ownSockets: true }) });
  const fileHeaders = { "x-lxd-type": "file", "x-lxd-mode": "0640", "x-lxd-uid": "0", "x-lxd-gid": "0" };
  const syncOk = JSON.stringify({ type: "sync", status: "Success", status_code: 200, metadata: {} });
  const envelope = (code: number, error: string) => JSON.stringify({ type: "error", error, error_code: code });

  async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const p of stream as unknown as AsyncIterable<Uint8Array>) parts.push(p);
    return concat(parts);
  }

  it("pulls a Content-Length body and a chunked one, byte for byte", async () => {
    const data = Buffer.from(bytes(300_000));
    handler = (req, res) => {
      const chunked = req.url?.includes("chunked");
      res.writeHead(200, { ...fileHeaders, ...(!chunked && { "content-length": data.length }) });
      res.write(data.subarray(0, 1000));
      res.end(data.subarray(1000));
    };
    const lxd = client();
    const plain = await lxd.files.pull("local", "c1", "/a");
    expect(plain.size).toBe(data.length);
    expect(plain.mode).toBe(0o640);
    expect((await readAll(plain.stream)).equals(data)).toBe(true);
    const chunked = await lxd.files.pull("local", "c1", "/chunked");
    expect(chunked.size).toBeUndefined();
    expect((await readAll(chunked.stream)).equals(data)).toBe(true);
  });

  it("pushes a stream chunked and a byte array with its length, headers as the library sets them", async () => {
    const seen: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
    handler = (req, res, body) => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end(syncOk);
    };
    const data = bytes(70_000);
    const lxd = client();
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(data.subarray(0, 30_000));
        c.enqueue(data.subarray(30_000));
        c.close();
      },
    });
    await lxd.files.push("local", "c1", "/a", stream, { mode: 0o600 });
    await lxd.files.push("local", "c1", "/b", data);
    expect(seen[0]!.headers["transfer-encoding"]).toBe("chunked");
    expect(seen[0]!.headers["x-lxd-mode"]).toBe("0600");
    expect(seen[0]!.body.equals(Buffer.from(data))).toBe(true);
    expect(seen[1]!.headers["content-length"]).toBe("70000");
    expect(seen[1]!.body.equals(Buffer.from(data))).toBe(true);
  });

  it("reads a pull no faster than its reader, and pushes no faster than the socket drains", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { ...fileHeaders, "content-length": 8 << 20 });
      res.end(Buffer.alloc(8 << 20));
    };
    const lxd = client();
    wire.delivered = 0;
    const file = await lxd.files.pull("local", "c1", "/big");
    const reader = file.stream.getReader();
    const first = await reader.read();
    await new Promise((r) => setTimeout(r, 300));
    // One socket read (64 KiB under node:net) waits for the reader; the rest stays in the kernel.
    expect(wire.delivered).toBeLessThan(256 * 1024);
    expect(first.value?.byteLength).toBeGreaterThan(0);
    await reader.cancel();

    handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(syncOk);
    wire.writeLimit = 4096;
    wire.written = 0;
    const chunk = 50_000;
    const lag: number[] = [];
    let sent = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          // Asked for the next chunk: everything before it has left (the head and frames aside).
          lag.push(sent - wire.written);
          if (sent >= 10 * chunk) return c.close();
          sent += chunk;
          c.enqueue(bytes(chunk));
        },
      },
      { highWaterMark: 0 },
    );
    await lxd.files.push("local", "c1", "/big", source);
    expect(lag.length).toBe(11);
    for (const l of lag) expect(l).toBeLessThanOrEqual(0);
  });

  it("turns an error envelope into LxdError, on a pull and on a push", async () => {
    handler = (_req, res) => {
      res.writeHead(404, { "content-type": "application/json" }).end(envelope(404, "Instance not found"));
    };
    const lxd = client();
    const pulled = lxd.files.pull("local", "nope", "/a");
    await expect(pulled).rejects.toBeInstanceOf(LxdError);
    await expect(pulled).rejects.toMatchObject({ status: 404, lxdMessage: "Instance not found" });
    await expect(lxd.files.push("local", "nope", "/a", bytes(10))).rejects.toMatchObject({ name: "LxdError", status: 404 });
  });

  it("errors the body of a pull the server cuts short, never ending it as complete", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { ...fileHeaders, "content-length": 1_000_000 });
      res.write(Buffer.from(bytes(5000)), () => res.destroy());
    };
    const file = await client().files.pull("local", "c1", "/a");
    const read = readAll(file.stream);
    await expect(read).rejects.toBeInstanceOf(ConnectionError);
    await expect(read).rejects.toMatchObject({ code: CLOSED_EARLY });
  });

  it("fails on a redirect, which it never follows", async () => {
    let asked = 0;
    handler = (_req, res) => {
      asked++;
      res.writeHead(307, { location: "/elsewhere" }).end();
    };
    await expect(client().files.pull("local", "c1", "/a")).rejects.toMatchObject({ name: "ConnectionError", code: "ERR_LXD_REDIRECT" });
    expect(asked).toBe(1);
  });

  it("fails a request whose connection closes before any answer", async () => {
    handler = (req) => req.socket.destroy();
    const lxd = client();
    await expect(lxd.files.pull("local", "c1", "/a")).rejects.toBeInstanceOf(ConnectionError);
    await expect(lxd.files.push("local", "c1", "/a", bytes(100))).rejects.toBeInstanceOf(ConnectionError);
  });
});
