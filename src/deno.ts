// Entry for Deno (the `deno` export condition): Deno.createHttpClient for mTLS and the socket.
import { createBase, type LxdBase } from "./connection/base.js";
import { createLxdClient, type Lxd, type LxdOptions } from "./connection/client.js";
import { remoteTransport } from "./transport/failover.js";
import { authorizeRemote } from "./transport/authorize-oidc.js";
import { pickIncusSocket } from "./transport/incus.js";
import { denoTransport } from "./transport/deno.js";

export * from "./public-api.js";
export { memoryTokenStore, oidcAuth } from "./auth/oidc.js";
export { denoTransport, localSocketPath } from "./transport/deno.js";

/** Creates a client. Without options it talks to the local daemon over its unix socket. */
export function createLxd(options: LxdOptions = {}): Lxd {
  return createLxdClient(options, denoTransport, remoteTransport, authorizeRemote);
}

/** The shared core alone, for the per-capability functions (`lxdOperations(base)`, …). */
export function createLxdBase(options: LxdOptions = {}): LxdBase {
  return createBase(options, denoTransport, remoteTransport, authorizeRemote);
}

/**
 * The local Incus's unix socket, by Incus's rule: $INCUS_SOCKET, else $INCUS_DIR/unix.socket,
 * else /var/lib/incus/unix.socket. Use it as a remote: `{ socket: incusSocketPath() }`.
 * Without --allow-env the variables are not read (no permission prompt is forced).
 */
export function incusSocketPath(): string {
  const env = (globalThis as { Deno?: { env: { get(key: string): string | undefined } } }).Deno?.env;
  return pickIncusSocket((k) => {
    try {
      return env?.get(k);
    } catch {
      return undefined;
    }
  });
}
