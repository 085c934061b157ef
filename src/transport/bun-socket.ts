// websocket-client.ts over Bun's own socket API (bun-connect.ts), for the unix socket: native
// code, where node:net in Bun is a JavaScript layer of streams that costs a short command about
// 3.5 MiB of peak memory (docs/native-cli.md). The HTTP upgrade is written by hand as for node:net.
import { concatBytes } from "../utils/bytes.js";
import { bunConnect } from "./bun-connect.js";
import { parseHead, upgradeRequest } from "./handshake.js";
import { RawWebSocket, type RawWebSocketOptions } from "./websocket-client.js";

/** A websocket to `url` over the unix socket at `path`. */
export function bunUnixWebSocket(path: string, url: string, options?: RawWebSocketOptions): RawWebSocket {
  return new RawWebSocket(async (key, events, signal) => {
    // Until the upgrade's answer is complete, bytes collect here; after it, they go to `events`.
    let head: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
    let onHead: ((err: unknown, parsed?: { accept: string | undefined; rest: Uint8Array }) => void) | undefined;
    let upgraded = false;
    let closed = false;
    const socket = await bunConnect(
      { unix: path },
      {
        data: (data) => {
          if (upgraded) return events.data(new Uint8Array(data));
          head = concatBytes([head, data]);
          try {
            const parsed = parseHead(head);
            if (parsed) onHead?.(undefined, parsed);
          } catch (err) {
            onHead?.(err);
          }
        },
        closed: (err) => {
          closed = true;
          if (upgraded) events.closed();
          else onHead?.(err ?? new Error("the server closed the connection during the handshake"));
        },
      },
    );
    if (signal.aborted) {
      socket.destroy();
      throw new Error("closed while connecting");
    }
    const onAbort = () => socket.destroy();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const parsed = await new Promise<{ accept: string | undefined; rest: Uint8Array }>((resolve, reject) => {
        onHead = (err, p) => {
          onHead = undefined;
          if (err) reject(err);
          else resolve(p!);
        };
        if (closed) onHead(new Error("the server closed the connection during the handshake"));
        socket.write(upgradeRequest(url, key, options?.headers));
      });
      upgraded = true;
      if (parsed.rest.length > 0) events.data(parsed.rest);
      if (closed) events.closed();
      return { accept: parsed.accept, channel: socket };
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }, options);
}
