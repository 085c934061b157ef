// The runtime-neutral client: every capability of the registry (registry.ts) in the flat form
// over the shared core (base.ts), and `remote()` for a connection with a scope. Each entry point
// (Node, browser, Deno, Bun) only picks the default transport.
import { createBase, type RemoteTransport } from "./base.js";
import { type Connection, createConnection } from "./connection.js";
import type { Flat } from "./mutator.js";
import { CAPABILITIES, type Capabilities } from "./registry.js";
import type { Hooks } from "./request.js";
import type { RemoteOptions, TransportFactory } from "./transport/types.js";
import type { WebSocketConstructor } from "./websocket.js";

export interface LxdOptions {
  /**
   * Named remotes. `local` needs no entry: it is the unix socket (or the page's origin). A
   * cluster's remote may list several member URLs (`url: [...]`): see README, Clusters.
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

export interface Lxd extends Capabilities<Flat> {
  readonly defaultRemote: string;
  /** Configured remote names, `local` included. */
  readonly remotes: readonly string[];
  /** A connection to one remote (default: `defaultRemote`); `.project(p)` and `.target(m)` scope it. */
  remote(name?: string): Connection;
  /** Closes every connection this client opened. */
  close(): Promise<void>;
}

export function createLxdClient(options: LxdOptions | undefined, defaultTransport: TransportFactory, clusters?: RemoteTransport): Lxd {
  const base = createBase(options, defaultTransport, clusters);
  const lxd = {
    defaultRemote: base.defaultRemote,
    remotes: base.remotes,
    remote: (name?: string) => createConnection(lxd as Lxd, { remote: base.resolve(name) }),
    close: () => base.close(),
  };
  // Each capability is made on first use: a script that only lists operations builds nothing else.
  for (const key of Object.keys(CAPABILITIES) as (keyof typeof CAPABILITIES)[]) {
    Object.defineProperty(lxd, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = CAPABILITIES[key](base);
        Object.defineProperty(lxd, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return lxd as Lxd;
}
