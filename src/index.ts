// Entry for Node (and the default): the unix socket and mTLS through an undici 7 Agent.
import { createBase, type LxdBase } from "./base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./client.js";
import { pickIncusSocket } from "./incus.js";
import { nodeTransport } from "./transport/node.js";

export * from "./public-api.js";
export { localSocketPath, nodeTransport } from "./transport/node.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, nodeTransport);
}

/** The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, nodeTransport);
}

/**
 * The local Incus's unix socket, by Incus's rule: $INCUS_SOCKET, else $INCUS_DIR/unix.socket,
 * else /var/lib/incus/unix.socket. Use it as a remote: `{ socket: incusSocketPath() }`.
 */
export function incusSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickIncusSocket((k) => env[k]);
}
