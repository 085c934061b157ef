// Bun transport: Bun's fetch with its `tls` and `unix` options, and its WebSocket with `tls`
// (a `ws+unix://` URL for the socket: the `unix` option does not work on Bun's WebSocket).
// A pinned fingerprint is checked in `checkServerIdentity`, which Bun calls for fetch and
// WebSocket after the handshake and before any request byte is written.
import { existsSync } from "node:fs";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { InvalidArgumentError } from "../errors.js";
import { normalizeFingerprint, remoteOrigin } from "../remotes.js";
import { codedError, FINGERPRINT_MISMATCH, pickLocalSocket } from "./local.js";
import { isUnixRemote, type HttpsRemote, type RemoteConfig, type Transport } from "./types.js";

/** $LXD_DIR/unix.socket, else /var/lib/lxd/unix.socket, else the snap's. */
export function localSocketPath(env: Record<string, string | undefined> = process.env): string {
  return pickLocalSocket(env.LXD_DIR, existsSync);
}

interface BunTls {
  cert?: string;
  key?: string;
  ca?: string;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

function bunTls(name: string, remote: HttpsRemote): BunTls {
  const tls: BunTls = {
    ...(remote.cert !== undefined && { cert: remote.cert }),
    ...(remote.key !== undefined && { key: remote.key }),
    ...(remote.ca !== undefined && { ca: remote.ca }),
  };
  if (remote.fingerprint === undefined) return tls;
  // Bun can only add the pin on top of normal verification (skipping it would need
  // rejectUnauthorized: false). LXD's certificate is self-signed, so without `ca` every
  // connection would fail: say so now instead.
  if (remote.ca === undefined) {
    throw new InvalidArgumentError(
      `remote "${name}": in Bun, fingerprint pinning needs the server's certificate as \`ca\` too ` +
        "(Bun checks the pin in addition to certificate verification, which cannot be skipped safely)",
    );
  }
  const pinned = normalizeFingerprint(name, remote.fingerprint);
  tls.checkServerIdentity = (host, cert) => {
    // A custom check replaces Bun's host name check: run that first.
    const wrongHost = checkServerIdentity(host, cert);
    if (wrongHost) return wrongHost;
    const seen = cert?.fingerprint256?.replace(/:/g, "").toLowerCase();
    if (seen === pinned) return undefined;
    return codedError(`server certificate fingerprint ${seen ?? "(none)"} is not the pinned one`, FINGERPRINT_MISMATCH);
  };
  return tls;
}

export function bunTransport(name: string, config: RemoteConfig | undefined): Transport {
  const remote = config ?? { socket: localSocketPath() };
  // `tls` and `unix` are Bun extensions of RequestInit and of the WebSocket options.
  const BunWebSocket = WebSocket as unknown as new (url: string, options?: { tls?: BunTls }) => WebSocket;
  if (isUnixRemote(remote)) {
    const socket = remote.socket;
    return {
      baseUrl: "http://unix",
      fetch: (input, init) => fetch(input, { ...init, unix: socket } as RequestInit),
      // ws://unix/1.0/... → ws+unix:///var/lib/lxd/unix.socket:/1.0/...
      webSocket: (url) => {
        const u = new URL(url);
        return new BunWebSocket(`ws+unix://${socket}:${u.pathname}${u.search}`);
      },
      close: async () => {},
    };
  }
  const baseUrl = remoteOrigin(name, remote).origin;
  const tls = bunTls(name, remote);
  if (baseUrl.startsWith("http:")) {
    return { baseUrl, fetch: (input, init) => fetch(input, init), webSocket: (url) => new WebSocket(url), close: async () => {} };
  }
  return {
    baseUrl,
    fetch: (input, init) => fetch(input, { ...init, tls } as RequestInit),
    webSocket: (url) => new BunWebSocket(url, { tls }),
    close: async () => {},
  };
}

