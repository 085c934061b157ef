// The local daemons' sockets for runtimes with node:fs and process.env (Node, Bun). node:fs is
// loaded when a local socket is looked up, not with this module: in Bun it is a JavaScript module
// that costs a short program several MiB of peak memory (docs/native-cli.md).
import { pickIncusSocket } from "./incus.js";
import { pickLocalSocket } from "./common.js";

/** Where LXD's CLI looks: $LXD_DIR/unix.socket, then the Debian package's, then the snap's. */
export function localSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickLocalSocket(env.LXD_DIR, (path) => process.getBuiltinModule("node:fs").existsSync(path));
}

/**
 * The local Incus's unix socket, by Incus's rule: $INCUS_SOCKET, else $INCUS_DIR/unix.socket,
 * else /var/lib/incus/unix.socket. Use it as a remote: `{ socket: incusSocketPath() }`.
 */
export function incusSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickIncusSocket((k) => env[k]);
}
