// The Node transport's websocket: websocket-client.ts over undici's `upgrade` on the remote's own
// Agent, so it goes through the unix socket, or mTLS with the pinned certificate.
import type { Dispatcher } from "undici";
import { duplexChannel, RawWebSocket, type RawWebSocketOptions } from "./websocket-client.js";

export class NodeWebSocket extends RawWebSocket {
  constructor(url: string, dispatcher: Dispatcher, options?: RawWebSocketOptions) {
    super(async (key, events, signal) => {
      const u = new URL(url);
      // An Agent routes by origin, which its typings leave out of the upgrade options.
      const request: Dispatcher.UpgradeOptions & { origin: string } = {
        origin: `${u.protocol === "wss:" ? "https:" : "http:"}//${u.host}`,
        path: u.pathname + u.search,
        method: "GET",
        protocol: "websocket",
        headers: { ...options?.headers, "sec-websocket-key": key, "sec-websocket-version": "13" },
        signal,
      };
      const { headers, socket } = await dispatcher.upgrade(request);
      socket.on("data", (chunk: Buffer) => events.data(chunk));
      socket.on("error", () => undefined); // the close that follows says it: 1006
      socket.on("close", () => events.closed());
      socket.resume(); // undici leaves it paused after the handshake
      const accept = headers["sec-websocket-accept"];
      return { accept: typeof accept === "string" ? accept : undefined, channel: duplexChannel(socket) };
    }, options);
  }
}
