// websocket-client.ts over a socket that node:net or node:tls opened (Bun's transport: Bun's own
// WebSocket answers every ping, and a pong racing LXD's close lost exec output), with the HTTP
// upgrade written by hand.
import type { Duplex } from "node:stream";
import { concatBytes } from "../utils/bytes.js";
import { parseHead, upgradeRequest } from "./handshake.js";
import { duplexChannel, RawWebSocket, type RawWebSocketOptions } from "./websocket-client.js";

/** Opens the socket; resolves once it is connected (and for TLS, verified). */
export type DuplexOpen = () => Promise<Duplex>;

export function duplexWebSocket(open: DuplexOpen, url: string, options?: RawWebSocketOptions): RawWebSocket {
  return new RawWebSocket(async (key, events, signal) => {
    const socket = await open();
    if (signal.aborted) {
      socket.destroy();
      throw new Error("closed while connecting");
    }
    const onAbort = () => socket.destroy();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const head = await new Promise<{ accept: string | undefined; rest: Uint8Array }>((resolve, reject) => {
        let buf: Uint8Array = new Uint8Array(0);
        const onData = (chunk: Uint8Array) => {
          buf = concatBytes([buf, chunk]);
          let parsed: ReturnType<typeof parseHead>;
          try {
            parsed = parseHead(buf);
          } catch (err) {
            return done(err);
          }
          if (parsed) done(undefined, parsed);
        };
        const onEnd = () => done(new Error("the server closed the connection during the handshake"));
        const onError = (err: Error) => done(err);
        const done = (err: unknown, parsed?: { accept: string | undefined; rest: Uint8Array }) => {
          socket.off("data", onData).off("close", onEnd).off("error", onError);
          socket.pause();
          if (err) reject(err);
          else resolve(parsed!);
        };
        socket.on("data", onData).on("close", onEnd).on("error", onError);
        socket.write(upgradeRequest(url, key, options?.headers));
      });
      if (head.rest.length > 0) events.data(head.rest);
      socket.on("data", (chunk: Uint8Array) => events.data(chunk));
      socket.on("error", () => undefined); // the close that follows says it: 1006
      socket.on("close", () => events.closed());
      socket.resume();
      return { accept: head.accept, channel: duplexChannel(socket) };
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }, options);
}
