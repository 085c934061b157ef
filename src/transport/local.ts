// Where the local daemon listens, for every runtime that can open a unix socket (Node, Deno,
// Bun): the same rule as LXD's CLI. Each runtime supplies its own env and file-existence check.

/** The Debian package's socket, then the snap's. */
export const LOCAL_SOCKETS = ["/var/lib/lxd/unix.socket", "/var/snap/lxd/common/lxd/unix.socket"] as const;

/** $LXD_DIR/unix.socket, else the first of LOCAL_SOCKETS that exists, else the Debian path. */
export function pickLocalSocket(lxdDir: string | undefined, exists: (path: string) => boolean): string {
  if (lxdDir) return `${lxdDir}/unix.socket`;
  return LOCAL_SOCKETS.find((p) => exists(p)) ?? LOCAL_SOCKETS[0];
}

/** Error code set when the server's certificate is not the pinned one. */
export const FINGERPRINT_MISMATCH = "ERR_LXD_FINGERPRINT_MISMATCH";

/** An Error with a `code`, which the request core turns into a TlsError or ConnectionError. */
export function codedError(message: string, code: string, cause?: unknown): Error & { code: string } {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}
