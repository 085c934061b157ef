// Entry for Node (and the default): the unix socket and mTLS through an undici 7 Agent.
import { createBase, type LxdBase } from "./connection/base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./connection/client.js";
import { remoteTransport } from "./transport/failover.js";
import { authorizeRemote } from "./transport/authorize-oidc.js";
import { nodeTransport } from "./transport/node.js";

export * from "./public-api.js";
export { fileTokenStore } from "./auth/file-store.js";
// OIDC sign-in is for the server runtimes: a browser WebSocket cannot carry a bearer.
export { memoryTokenStore, oidcAuth } from "./auth/oidc.js";
export { nodeTransport } from "./transport/node.js";
export { incusSocketPath, localSocketPath } from "./transport/node-socket-path.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, nodeTransport, remoteTransport, authorizeRemote);
}

/** The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, nodeTransport, remoteTransport, authorizeRemote);
}
