// What createLxd() takes: the remotes, the default one, the transport and WebSocket overrides,
// the events linger and the request hooks.
import type { Hooks } from "../request/pipeline.js";
import type { WebSocketConstructor } from "../streams/websocket.js";
import type { RemoteOptions, TransportFactory } from "../transport/types.js";

export interface LxdOptions {
  /**
   * Named remotes. `local` needs no entry: it is the unix socket (or the page's origin). A
   * cluster's remote may list several member URLs (`url: [...]`): see docs/clusters.md.
   */
  remotes?: Record<string, RemoteOptions>;
  /** The remote used when a call names none. Default `local`. */
  defaultRemote?: string;
  /** Replaces the runtime's transport (tests, proxies, custom agents). */
  transport?: TransportFactory;
  /**
   * The WebSocket constructor for events and exec. Default: the transport's, which carries the
   * remote's TLS identity or socket path (pass `globalThis.WebSocket` for MSW's mocks).
   */
  WebSocket?: WebSocketConstructor;
  /**
   * Milliseconds an unused events socket stays open for the next operation (default 1000), so
   * sequential execs don't each pay a handshake. `close()` ends it at once; 0 disables it.
   */
  eventsLinger?: number;
  /**
   * Functions every request goes through, in order, as ky's hooks: `beforeRequest` may return a
   * changed Request (a header, a trace id, a bearer token) or a Response; `afterResponse` may
   * return a Response to use instead. Websockets get the headers `beforeRequest` sets where the
   * runtime's websocket can carry them (Node, Deno, Bun; not a browser's).
   */
  hooks?: Hooks;
}
