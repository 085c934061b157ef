// The local daemon's socket for runtimes with node:fs and process.env (Node, Bun).
import { existsSync } from "node:fs";
import { pickLocalSocket } from "./common.js";

/** Where LXD's CLI looks: $LXD_DIR/unix.socket, then the Debian package's, then the snap's. */
export function localSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickLocalSocket(env.LXD_DIR, existsSync);
}
