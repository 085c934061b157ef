// How a capability opens a websocket to a remote: `options.WebSocket`, else the transport's, and
// where the client has `beforeRequest` hooks, their headers on the upgrade request, and the
// remote's bearer where it has one. Apart from base.ts so that an app without websockets
// (operations only) bundles none of it.
import type { LxdBase } from "./base.js";
import type { Where } from "../request/pipeline.js";
import type { WebSocketFactory } from "../streams/websocket.js";

export function webSocketOf(base: LxdBase): (where: Where) => WebSocketFactory {
  return (where) => {
    const Ctor = base.options.WebSocket;
    const t = base.transport(where);
    const make: WebSocketFactory = Ctor ? (url: string) => new Ctor(url) : t.webSocket;
    const { before } = base.core;
    // A remote's own credentials (a bearer: transport/authorized.ts), which an app's WebSocket cannot carry.
    const credentials = Ctor ? undefined : t.upgradeHeaders;
    if (before.length === 0 && !credentials) return make;
    const factory: WebSocketFactory = (url, socketOptions) => make(url, socketOptions);
    factory.headers = async (url) => {
      const context = { remote: base.resolve(where), method: "GET", path: new URL(url).pathname };
      let request = new Request(url.replace(/^ws/, "http"));
      for (const hook of before) {
        const out = await hook(request, context);
        if (out instanceof Request) request = out;
      }
      // The remote's own credentials (a bearer: transport/authorized.ts) last, unseen by hooks.
      return { ...Object.fromEntries(request.headers), ...(await credentials?.call(t, url)) };
    };
    return factory;
  };
}
