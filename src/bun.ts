// Entry for Bun (the `bun` export condition): Bun's fetch/WebSocket `tls` and `unix` options.
import { createBase, type LxdBase } from "./base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./client.js";
import { pickIncusSocket } from "./incus.js";
import { bunTransport } from "./transport/bun.js";

export * from "./public-api.js";
export { bunTransport, localSocketPath } from "./transport/bun.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, bunTransport);
}

/** The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, bunTransport);
}

/**
 * The local Incus's unix socket, by Incus's rule: $INCUS_SOCKET, else $INCUS_DIR/unix.socket,
 * else /var/lib/incus/unix.socket. Use it as a remote: `{ socket: incusSocketPath() }`.
 */
export function incusSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickIncusSocket((k) => env[k]);
}
