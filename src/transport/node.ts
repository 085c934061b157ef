// Node transport: the global fetch with an undici 7 Agent as `dispatcher` (undici 8 breaks the
// global fetch of Node 22/24). One Agent per remote holds the TLS identity or the socket path.
import { createSecureContext, type TLSSocket } from "node:tls";
import { Agent, buildConnector } from "undici";
import { normalizeFingerprint, remoteOrigin } from "./remotes.js";
import { fingerprintMismatch, tlsIdentity } from "./common.js";
import { NodeWebSocket } from "./node-websocket.js";
import { localSocketPath } from "./node-socket-path.js";
import { isUnixRemote, type HttpsRemote, type RemoteConfig, type Transport } from "./types.js";

export { FINGERPRINT_MISMATCH } from "./common.js";
export { localSocketPath } from "./node-socket-path.js";

function httpsAgent(name: string, remote: HttpsRemote): Agent {
  // One secure context per remote: given PEM options, Node parses the key and certificates again
  // for every connection, and each exec opens four (about 2 ms each, measured).
  const tls = { secureContext: createSecureContext(tlsIdentity(remote)) };
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
        const mismatch = fingerprintMismatch(pinned, (socket as TLSSocket).getPeerCertificate().fingerprint256);
        if (!mismatch) return callback(null, socket);
        socket.destroy();
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
    baseUrl = remoteOrigin(name, remote).origin;
    agent = httpsAgent(name, remote);
  }
  // undici's dispatcher is an extension of RequestInit that lib.dom does not know about.
  const own = { redirect: "error", dispatcher: agent } as RequestInit;
  return {
    baseUrl,
    // Object.assign, not `{ ...init, redirect, dispatcher }`: Node 20's V8 takes a slow path
    // (about 2 µs a request, measured) for properties added after a spread.
    fetch: (input, init) => fetch(input, Object.assign({}, init, own)),
    // Our own client on the same Agent: exec works over the socket and over mTLS, never answers
    // a ping where that loses output, and can pause (node-websocket.ts).
    webSocket: (url, options) => new NodeWebSocket(url, agent, options) as unknown as WebSocket,
    close: () => agent.close(),
  };
}
