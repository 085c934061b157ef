// The Deno transport's websocket: websocket-client.ts over Deno.connect (unix socket) or
// Deno.connectTls (HTTPS, with the remote's certificates), with the HTTP upgrade written by hand. A write that fails (the pong-after-close race the client
// module describes) never stops the reading, so output that arrived is delivered.
import { concatBytes } from "../utils/bytes.js";
import { parseHead, upgradeRequest } from "./handshake.js";
import { RawWebSocket, type ByteChannel, type RawWebSocketOptions } from "./websocket-client.js";

/** The part of Deno's socket API used here (this package is type-checked without Deno's lib). */
export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}
/** Opens the connection: Deno.connect for the unix socket, Deno.connectTls for HTTPS. */
export type DenoOpen = () => Promise<DenoConn>;

const READ_SIZE = 64 * 1024;

export function denoWebSocket(open: DenoOpen, url: string, options?: RawWebSocketOptions): RawWebSocket {
  return new RawWebSocket(async (key, events, signal) => {
    const conn = await open();
    if (signal.aborted) {
      closeQuietly(conn);
      throw new Error("closed while connecting");
    }
    const onAbort = () => closeQuietly(conn);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await writeAll(conn, upgradeRequest(url, key, options?.headers));
      const { accept, rest } = await readHead(conn);
      const channel = connChannel(conn, rest, events);
      return { accept, channel };
    } catch (err) {
      closeQuietly(conn);
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }, options);
}

async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += await conn.write(bytes.subarray(at));
}

/** Reads up to the end of the response head; what follows it is the first websocket data. */
/** Reads up to the end of the response head; what follows it is the first websocket data. */
async function readHead(conn: DenoConn): Promise<{ accept: string | undefined; rest: Uint8Array }> {
  let buf: Uint8Array = new Uint8Array(0);
  for (;;) {
    const chunk = new Uint8Array(READ_SIZE);
    const n = await conn.read(chunk);
    if (n === null) throw new Error("the server closed the connection during the handshake");
    buf = concatBytes([buf, chunk.subarray(0, n)]);
    const head = parseHead(buf);
    if (head) return head;
  }
}

function connChannel(conn: DenoConn, first: Uint8Array, events: { data(c: Uint8Array): void; closed(): void }): ByteChannel {
  let paused = false;
  let destroyed = false;
  let wake: (() => void) | undefined;
  let writes = Promise.resolve();
  let buffered = 0;
  void (async () => {
    if (first.length > 0) events.data(first);
    for (;;) {
      while (paused && !destroyed) await new Promise<void>((r) => (wake = r));
      if (destroyed) break;
      const chunk = new Uint8Array(READ_SIZE);
      let n: number | null;
      try {
        n = await conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) break;
      events.data(chunk.subarray(0, n));
    }
    closeQuietly(conn);
    events.closed();
  })();
  return {
    write(bytes) {
      buffered += bytes.length;
      // A failed write is dropped, and so is what follows it: writing has ended, but the reads
      // above go on to the end of the stream.
      writes = writes
        .then(() => writeAll(conn, bytes))
        .catch(() => undefined)
        .then(() => void (buffered -= bytes.length));
    },
    end() {
      writes = writes.then(() => conn.closeWrite()).catch(() => undefined);
    },
    destroy() {
      destroyed = true;
      closeQuietly(conn);
      wake?.(); // a paused read loop ends too, and reports the close
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      wake?.();
    },
    get buffered() {
      return buffered;
    },
  };
}

function closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
