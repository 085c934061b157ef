// Node transport: the global fetch with an undici 7 Agent as `dispatcher` (undici 8 breaks the
// global fetch of Node 22/24). One Agent per remote holds the TLS identity or the socket path.
import { existsSync } from "node:fs";
import type { TLSSocket } from "node:tls";
import { Agent, buildConnector, WebSocket as UndiciWebSocket } from "undici";
import { InvalidArgumentError } from "../errors.js";
import { normalizeFingerprint, parseRemoteUrl } from "../remotes.js";
import { isUnixRemote, type HttpsRemote, type RemoteConfig, type Transport } from "./types.js";

/** Where LXD's CLI looks: $LXD_DIR, then the Debian package, then the snap. */
export function localSocketPath(env: Record<string, string | undefined> = process.env): string {
  if (env.LXD_DIR) return `${env.LXD_DIR}/unix.socket`;
  const candidates = ["/var/lib/lxd/unix.socket", "/var/snap/lxd/common/lxd/unix.socket"];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** Error code set when the server's certificate is not the pinned one. */
export const FINGERPRINT_MISMATCH = "ERR_LXD_FINGERPRINT_MISMATCH";

function httpsAgent(name: string, remote: HttpsRemote): Agent {
  const tls = {
    ...(remote.cert !== undefined && { cert: remote.cert }),
    ...(remote.key !== undefined && { key: remote.key }),
    ...(remote.ca !== undefined && { ca: remote.ca }),
  };
  if (remote.fingerprint === undefined) return new Agent({ connect: tls });
  // Pinning: the chain may be self-signed, so OpenSSL's verdict is replaced by the fingerprint
  // check, which runs after the handshake and before undici writes a byte of the request.
  // With a `ca` as well, both must pass. No session cache: every connection shows its cert.
  const pinned = normalizeFingerprint(name, remote.fingerprint);
  const connector = buildConnector({ ...tls, rejectUnauthorized: remote.ca !== undefined, maxCachedSessions: 0 });
  return new Agent({
    connect(options, callback) {
      connector(options, (err, socket) => {
        if (err) return callback(err, null);
        const seen = (socket as TLSSocket).getPeerCertificate().fingerprint256?.replace(/:/g, "").toLowerCase();
        if (seen === pinned) return callback(null, socket);
        socket.destroy();
        const mismatch = Object.assign(new Error(`server certificate fingerprint ${seen ?? "(none)"} is not the pinned one`), {
          code: FINGERPRINT_MISMATCH,
        });
        callback(mismatch, null);
      });
    },
  });
}

export function nodeTransport(name: string, config: RemoteConfig | undefined): Transport {
  const remote = config ?? { socket: localSocketPath() };
  let baseUrl: string;
  let agent: Agent;
  if (isUnixRemote(remote)) {
    baseUrl = "http://unix";
    agent = new Agent({ connect: { socketPath: remote.socket } });
  } else {
    const url = parseRemoteUrl(name, remote.url);
    if (url.protocol === "http:" && (remote.cert || remote.key || remote.ca || remote.fingerprint)) {
      throw new InvalidArgumentError(`remote "${name}": certificates need an https:// URL`);
    }
    baseUrl = url.origin;
    agent = httpsAgent(name, remote);
  }
  return {
    baseUrl,
    // undici's dispatcher is an extension of RequestInit that lib.dom does not know about.
    fetch: (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit),
    // undici's WebSocket takes the same dispatcher: exec works over the socket and over mTLS.
    webSocket: (url) => new UndiciWebSocket(url, { dispatcher: agent }) as unknown as WebSocket,
    close: () => agent.close(),
  };
}

