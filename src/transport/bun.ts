// Bun transport: Bun's fetch with its `tls` and `unix` options; websockets are our own client
// (websocket-client.ts: Bun's WebSocket answers every ping, and a pong racing LXD's close lost
// exec output) over Bun's own sockets for the unix socket (bun-socket.ts) and node:net or
// node:tls for TCP, with the same certificates. A pinned fingerprint is
// checked in `checkServerIdentity`, which runs after the TLS handshake and before any request byte.
// node:net and node:tls load on the first websocket or pin check only: Bun implements them in
// JavaScript, and they are about 3.5 MiB of a short command's peak memory (docs/native-cli.md).
// With `ownSockets` (the native CLI, src/cli/runtime-bun.ts), file contents (`streamed`
// requests) go over a connection of the transport's own instead of fetch (bun-http.ts), with the
// same certificates and the same verification: Bun's fetch held up to 66 MiB of a 1 GiB pull.
import type { Duplex } from "node:stream";
import type { PeerCertificate } from "node:tls";
import { InvalidArgumentError } from "../utils/errors.js";
import { normalizeFingerprint, remoteOrigin } from "./remotes.js";
import { fingerprintMismatch, tlsIdentity } from "./common.js";
import { bunUnixWebSocket } from "./bun-socket.js";
import type { BunTarget } from "./bun-connect.js";
import { bunSocketFetch } from "./bun-http.js";
import { duplexWebSocket } from "./duplex-websocket.js";
import { localSocketPath } from "./node-socket-path.js";
import { isUnixRemote, type HttpsRemote, type RemoteConfig, type SocketOptions, type Transport, type TransportInit } from "./types.js";

export { localSocketPath } from "./node-socket-path.js";

interface BunTls {
  cert?: string;
  key?: string;
  ca?: string;
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** fetch's TLS options (the pin in `checkServerIdentity`), and the pin itself for bun-connect.ts. */
function bunTls(name: string, remote: HttpsRemote): { tls: BunTls; pinned: string | undefined } {
  const tls: BunTls = tlsIdentity(remote);
  if (remote.fingerprint === undefined) return { tls, pinned: undefined };
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
    const wrongHost = nodeTls!.checkServerIdentity(host, cert);
    return wrongHost ?? fingerprintMismatch(pinned, cert?.fingerprint256);
  };
  return { tls, pinned };
}

/** An IP literal (no SNI for those), told apart without loading node:net. */
const isIpLiteral = (host: string) => host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);

let nodeTls: typeof import("node:tls") | undefined;
/** node:net and node:tls, loaded once. */
async function nodeSockets(): Promise<{ net: typeof import("node:net"); tls: typeof import("node:tls") }> {
  const [net, tls] = await Promise.all([import("node:net"), import("node:tls")]);
  nodeTls = tls;
  return { net, tls };
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

export interface BunTransportOptions {
  /** File contents (`streamed` requests) over the transport's own connections (bun-http.ts). */
  ownSockets?: boolean;
}

/** The fetch of `streamed` requests to `target` over an own connection when `own`, else `other`. */
function streamedOver(
  own: boolean | undefined,
  target: () => BunTarget,
  other: (input: string | Request, init?: TransportInit) => Promise<Response>,
): (input: string | Request, init?: TransportInit) => Promise<Response> {
  if (!own) return other;
  return (input, init) => {
    if (!init?.streamed || typeof input !== "string") return other(input, init);
    const { streamed: _, ...rest } = init;
    return bunSocketFetch(target(), input, rest);
  };
}

export function bunTransport(name: string, config: RemoteConfig | undefined, options: BunTransportOptions = {}): Transport {
  const own = options.ownSockets;
  const remote = config ?? { socket: localSocketPath() };
  if (isUnixRemote(remote)) {
    const socket = remote.socket;
    return {
      baseUrl: "http://unix",
      fetch: streamedOver(
        own,
        () => ({ unix: socket }),
        (input, init) => fetch(input, { ...init, redirect: "error", unix: socket } as RequestInit),
      ),
      webSocket: (url, options) => bunUnixWebSocket(socket, url, options) as unknown as WebSocket,
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
      fetch: streamedOver(
        own,
        () => ({ hostname: host, port }),
        (input, init) => fetch(input, { ...init, redirect: "error" }),
      ),
      webSocket: webSocketOver(async () => opened((await nodeSockets()).net.connect({ host, port }), "connect")),
      close: async () => {},
    };
  }
  const { tls, pinned } = bunTls(name, remote);
  const port = Number(origin.port || 443);
  // The pin check calls node:tls's host name check, so a pinned remote loads it before its
  // first request.
  const ready = tls.checkServerIdentity ? nodeSockets() : undefined;
  // Bun.connect checks the chain and the host name itself (a custom check does not replace it
  // there), so the pin is all bun-connect.ts adds.
  const { checkServerIdentity: _, ...identity } = tls;
  const ownTls = { ...identity, ...(!isIpLiteral(host) && { serverName: host }) };
  return {
    baseUrl,
    fetch: streamedOver(
      own,
      () => ({ hostname: host, port, tls: ownTls, pinned }),
      async (input, init) => (await ready, fetch(input, { ...init, redirect: "error", tls } as RequestInit)),
    ),
    webSocket: webSocketOver(async () => {
      const { net, tls: nodeTlsModule } = await nodeSockets();
      return opened(nodeTlsModule.connect({ host, port, ...(!net.isIP(host) && { servername: host }), ...tls }), "secureConnect");
    }),
    close: async () => {},
  };
}
