// The runtime-neutral client: every capability of the registry (registry.ts) in the flat form
// over the shared core (base.ts), and `remote()` for a connection with a scope. Each entry point
// (Node, browser, Deno, Bun) only picks the default transport.
import { createBase, type RemoteTransport } from "./base.js";
import { type Connection, createConnection } from "./connection.js";
import type { Flat } from "../capabilities/mutator.js";
import type { TransportFactory } from "../transport/types.js";
import type { Authorize } from "../transport/authorized.js";
import type { LxdOptions } from "./options.js";
import { CAPABILITIES, type Capabilities } from "./registry.js";

export type { LxdOptions } from "./options.js";

export interface Lxd extends Capabilities<Flat> {
  readonly defaultRemote: string;
  /** Configured remote names, `local` included. */
  readonly remotes: readonly string[];
  /** A connection to one remote (default: `defaultRemote`); `.project(p)` and `.target(m)` scope it. */
  remote(name?: string): Connection;
  /** Closes every connection this client opened. */
  close(): Promise<void>;
}

export function createLxdClient(
  options: LxdOptions | undefined,
  defaultTransport: TransportFactory,
  clusters?: RemoteTransport,
  authorize?: Authorize,
): Lxd {
  const base = createBase(options, defaultTransport, clusters, authorize);
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
        // Called as one factory type: calling the union of every factory's type is more than TypeScript represents.
        const make: (b: typeof base) => unknown = CAPABILITIES[key];
        const value = make(base);
        Object.defineProperty(lxd, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return lxd as Lxd;
}
