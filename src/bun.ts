// Entry for Bun (the `bun` export condition): Bun's fetch/WebSocket `tls` and `unix` options.
import { createBase, type LxdBase } from "./connection/base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./connection/client.js";
import { remoteTransport } from "./transport/failover.js";
import { authorizeRemote } from "./transport/authorize-oidc.js";
import { bunTransport } from "./transport/bun.js";

export * from "./public-api.js";
export { memoryTokenStore, oidcAuth } from "./auth/oidc.js";
export { bunTransport } from "./transport/bun.js";
export { incusSocketPath, localSocketPath } from "./transport/node-socket-path.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, bunTransport, remoteTransport, authorizeRemote);
}

/** The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, bunTransport, remoteTransport, authorizeRemote);
}
