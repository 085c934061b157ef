// Bun transport: Bun's fetch with its `tls` and `unix` options; websockets are our own client
// (websocket-client.ts: Bun's WebSocket answers every ping, and a pong racing LXD's close lost
// exec output) over node:net or node:tls with the same certificates. A pinned fingerprint is
// checked in `checkServerIdentity`, which runs after the TLS handshake and before any request byte.
import type * as Net from "node:net";
import type { Duplex } from "node:stream";
import type * as Tls from "node:tls";
import type { PeerCertificate } from "node:tls";
import { InvalidArgumentError } from "../errors.js";
import { normalizeFingerprint, remoteOrigin } from "../remotes.js";
import { fingerprintMismatch, tlsIdentity } from "./common.js";
import { duplexWebSocket } from "./duplex-websocket.js";
import { localSocketPath } from "./node-socket-path.js";
import { isUnixRemote, type HttpsRemote, type RemoteConfig, type SocketOptions, type Transport } from "./types.js";

export { localSocketPath } from "./node-socket-path.js";

// Bun builds node:net and node:tls from JavaScript when they are first imported: 6 and 2 MiB of a
// CLI process that, for `operations list`, only fetches (bench/cli.mjs). Loaded on first use.
const net = () => process.getBuiltinModule("node:net") as typeof Net;
const tlsModule = () => process.getBuiltinModule("node:tls") as typeof Tls;

interface BunTls {
  cert?: string;
  key?: string;
  ca?: string;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

function bunTls(name: string, remote: HttpsRemote): BunTls {
  const tls: BunTls = tlsIdentity(remote);
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
    const wrongHost = tlsModule().checkServerIdentity(host, cert);
    return wrongHost ?? fingerprintMismatch(pinned, cert?.fingerprint256);
  };
  return tls;
}

/** Resolves with the socket once connected (and for TLS, verified); rejects with its error. */
function opened(socket: Duplex, event: "connect" | "secureConnect"): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => (socket.off("error", reject), resolve(socket)));
    socket.once("error", reject);
  });
}

function webSocketOver(open: () => Promise<Duplex>) {
  return (url: string, options?: SocketOptions) => duplexWebSocket(open, url, options) as unknown as WebSocket;
}

export function bunTransport(name: string, config: RemoteConfig | undefined): Transport {
  const remote = config ?? { socket: localSocketPath() };
  if (isUnixRemote(remote)) {
    const socket = remote.socket;
    return {
      baseUrl: "http://unix",
      fetch: (input, init) => fetch(input, { ...init, redirect: "error", unix: socket } as RequestInit),
      webSocket: webSocketOver(() => opened(net().connect({ path: socket }), "connect")),
      close: async () => {},
    };
  }
  const origin = remoteOrigin(name, remote);
  const baseUrl = origin.origin;
  const host = origin.hostname.replace(/^\[|\]$/g, "");
  if (origin.protocol === "http:") {
    const port = Number(origin.port || 80);
    return {
      baseUrl,
      fetch: (input, init) => fetch(input, { ...init, redirect: "error" }),
      webSocket: webSocketOver(() => opened(net().connect({ host, port }), "connect")),
      close: async () => {},
    };
  }
  const tls = bunTls(name, remote);
  const port = Number(origin.port || 443);
  return {
    baseUrl,
    fetch: (input, init) => fetch(input, { ...init, redirect: "error", tls } as RequestInit),
    webSocket: webSocketOver(() =>
      opened(tlsModule().connect({ host, port, ...(!net().isIP(host) && { servername: host }), ...tls }), "secureConnect"),
    ),
    close: async () => {},
  };
}
