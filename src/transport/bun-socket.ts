// websocket-client.ts over Bun's own socket API (`Bun.connect`), for the unix socket: native
// code, where node:net in Bun is a JavaScript layer of streams that costs a short command about
// 3.5 MiB of peak memory (docs/native-cli.md). The HTTP upgrade is written by hand as for node:net.
import { concatBytes } from "../utils/bytes.js";
import { parseHead, upgradeRequest } from "./handshake.js";
import { type ByteChannel, RawWebSocket, type RawWebSocketOptions } from "./websocket-client.js";

/** The part of Bun's socket this file uses. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
}

interface BunConnect {
  connect(options: {
    unix: string;
    socket: {
      data(socket: BunSocket, data: Uint8Array): void;
      drain(socket: BunSocket): void;
      close(socket: BunSocket): void;
      end(socket: BunSocket): void;
      error(socket: BunSocket, error: Error): void;
    };
  }): Promise<BunSocket>;
}

/** A websocket to `url` over the unix socket at `path`. */
export function bunUnixWebSocket(path: string, url: string, options?: RawWebSocketOptions): RawWebSocket {
  return new RawWebSocket(async (key, events, signal) => {
    // Until the upgrade's answer is complete, bytes collect here; after it, they go to `events`.
    let head: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
    let onHead: ((err: unknown, parsed?: { accept: string | undefined; rest: Uint8Array }) => void) | undefined;
    let upgraded = false;
    let closed = false;
    // Bun's write takes what the kernel takes now; the rest waits here for `drain`, in order.
    const queue: Uint8Array[] = [];
    let queued = 0;
    let ending = false;
    let sock: BunSocket | undefined;
    const flush = () => {
      while (queue.length > 0 && sock) {
        const chunk = queue[0]!;
        const n = sock.write(chunk);
        queued -= n;
        if (n < chunk.length) {
          queue[0] = chunk.subarray(n);
          return;
        }
        queue.shift();
      }
      if (ending && queue.length === 0) sock?.end();
    };
    const closedOnce = (err?: unknown) => {
      if (closed) return;
      closed = true;
      if (upgraded) events.closed();
      else onHead?.(err ?? new Error("the server closed the connection during the handshake"));
    };
    const handlers = {
      data: (_s: BunSocket, data: Uint8Array) => {
        if (upgraded) return events.data(new Uint8Array(data));
        head = concatBytes([head, data]);
        try {
          const parsed = parseHead(head);
          if (parsed) onHead?.(undefined, parsed);
        } catch (err) {
          onHead?.(err);
        }
      },
      drain: () => flush(),
      close: () => closedOnce(),
      end: () => closedOnce(),
      error: (_s: BunSocket, error: Error) => closedOnce(error),
    };
    const bun = (globalThis as unknown as { Bun: BunConnect }).Bun;
    sock = await bun.connect({ unix: path, socket: handlers });
    const socket = sock;
    if (signal.aborted) {
      socket.terminate();
      throw new Error("closed while connecting");
    }
    const onAbort = () => socket.terminate();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const parsed = await new Promise<{ accept: string | undefined; rest: Uint8Array }>((resolve, reject) => {
        onHead = (err, p) => {
          onHead = undefined;
          if (err) reject(err);
          else resolve(p!);
        };
        if (closed) onHead(new Error("the server closed the connection during the handshake"));
        const req = upgradeRequest(url, key, options?.headers);
        queue.push(req);
        queued += req.length;
        flush();
      });
      upgraded = true;
      if (parsed.rest.length > 0) events.data(parsed.rest);
      if (closed) events.closed();
      const channel: ByteChannel = {
        write: (bytes) => {
          queue.push(bytes);
          queued += bytes.length;
          if (queue.length === 1) flush();
        },
        end: () => {
          ending = true;
          flush();
        },
        destroy: () => socket.terminate(),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        get buffered() {
          return queued;
        },
      };
      return { accept: parsed.accept, channel };
    } catch (err) {
      socket.terminate();
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }, options);
}
