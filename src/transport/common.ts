// What the transports that reach a daemon directly (Node, Deno, Bun) share: where the local
// daemon listens (LXD's CLI's rule), the TLS identity of an HTTPS remote, and the pinned
// fingerprint check. Each runtime supplies its own env, file-existence check and TLS hook.
import type { HttpsRemote } from "./types.js";

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

/** The remote's client certificate, key and CA, only those it gives (PEM text). */
export function tlsIdentity(remote: HttpsRemote): { cert?: string; key?: string; ca?: string } {
  return {
    ...(remote.cert !== undefined && { cert: remote.cert }),
    ...(remote.key !== undefined && { key: remote.key }),
    ...(remote.ca !== undefined && { ca: remote.ca }),
  };
}

/**
 * Compares the server certificate's SHA-256 (`fingerprint256` as Node and Bun give it, colons
 * and all) with the pin (normalized: lower-case hex, no colons): undefined when it matches, else
 * the error to fail the connection with.
 */
export function fingerprintMismatch(pinned: string, fingerprint256: string | undefined): (Error & { code: string }) | undefined {
  const seen = fingerprint256?.replace(/:/g, "").toLowerCase();
  if (seen === pinned) return undefined;
  return codedError(`server certificate fingerprint ${seen ?? "(none)"} is not the pinned one`, FINGERPRINT_MISMATCH);
}
