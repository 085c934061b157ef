// Deno transport: fetch and WebSocket with a Deno.HttpClient per remote, which carries the
// client certificate, the CA, or the unix socket (`proxy: { transport: "unix" }`).
// Deno has no hook to inspect the server's certificate, so `fingerprint` is refused.
import { InvalidArgumentError } from "../utils/errors.js";
import { remoteOrigin } from "./remotes.js";
import { codedError, pickLocalSocket, tlsIdentity } from "./common.js";
import { denoWebSocket, type DenoConn } from "./deno-websocket.js";
import { isUnixRemote, type RemoteConfig, type Transport } from "./types.js";

/** The part of Deno's API this transport uses (this package is type-checked without Deno's lib). */
interface DenoHttpClient {
  close(): void;
}
interface DenoHttpClientOptions {
  cert?: string;
  key?: string;
  caCerts?: string[];
  proxy?: { transport: "unix"; path: string };
  poolMaxIdlePerHost?: number;
}
interface DenoApi {
  createHttpClient(options: DenoHttpClientOptions): DenoHttpClient;
  connect(options: { transport: "unix"; path: string }): Promise<DenoConn>;
  connectTls(options: { hostname: string; port: number; caCerts?: string[]; cert?: string; key?: string }): Promise<DenoConn>;
  env: { get(key: string): string | undefined };
  statSync(path: string): unknown;
}

function deno(): DenoApi {
  const api = (globalThis as { Deno?: DenoApi }).Deno;
  if (!api?.createHttpClient) throw new InvalidArgumentError("the Deno transport needs the Deno runtime");
  return api;
}

/**
 * $LXD_DIR/unix.socket, else /var/lib/lxd/unix.socket, else the snap's. Without --allow-env or
 * --allow-read the corresponding check is skipped (no permission prompt is forced).
 */
export function localSocketPath(): string {
  const api = deno();
  let lxdDir: string | undefined;
  try {
    lxdDir = api.env.get("LXD_DIR");
  } catch {
    lxdDir = undefined;
  }
  return pickLocalSocket(lxdDir, (p) => {
    try {
      api.statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}

// Deno's fetch errors carry no code: TypeError("fetch failed", { cause: Error("... client error
// (Connect): invalid peer certificate: UnknownIssuer") }). Give them one, so the core reports a
// refused certificate as TlsError and the rest as ConnectionError with a system-like code.
const FAILURES: [RegExp, string][] = [
  [
    /invalid peer certificate|certificate (?:not valid|expired|unknown)|UnknownIssuer|NotValidForName|BadSignature/i,
    "ERR_TLS_INVALID_PEER_CERTIFICATE",
  ],
  [/handshake|tls|alert/i, "ERR_TLS_HANDSHAKE"],
  [/connection refused|os error 111/i, "ECONNREFUSED"],
  [/no such file or directory|os error 2\b/i, "ENOENT"],
  [/permission denied|os error 13\b/i, "EACCES"],
  [/connection reset|os error 104/i, "ECONNRESET"],
  [/dns error|failed to lookup address/i, "ENOTFOUND"],
];

function withCode(err: unknown, socket: string | undefined): unknown {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== undefined || err.name === "AbortError") return err;
  const text = [err.message, err.cause instanceof Error ? err.cause.message : ""].join(" ");
  const hit = FAILURES.find(([re]) => re.test(text));
  if (!hit) return err;
  let message = err.cause instanceof Error ? err.cause.message : err.message;
  // Over the socket, Deno names the placeholder URL: name the socket instead.
  if (socket) message = message.replace(/for url \(http:\/\/127\.0\.0\.1[^)]*\)/, `on ${socket}`);
  return codedError(message, hit[1], err);
}

export function denoTransport(name: string, config: RemoteConfig | undefined): Transport {
  const api = deno();
  const remote = config ?? { socket: localSocketPath() };
  let baseUrl: string;
  let options: DenoHttpClientOptions;
  const socket = isUnixRemote(remote) ? remote.socket : undefined;
  if (isUnixRemote(remote)) {
    // Deno looks the URL's host name up (getaddrinfo) even when every byte goes to the socket,
    // and a lookup of "unix" goes to DNS, which may take a resolver timeout (5 s seen here:
    // longer than LXD waits for exec websockets). An IP literal is never looked up.
    // Permissions: --allow-net=unix:<socket>,127.0.0.1:80 (see docs/runtimes.md).
    baseUrl = "http://127.0.0.1";
    // No idle connections on the socket. Deno's pool (hyper) opens a spare connection when a
    // request waits for one, and keeps it idle if another frees up first; LXD 5.0's unix
    // listener stops accepting while a connection has sent nothing, so the next connection
    // (an exec websocket) hangs until the spare is closed.
    options = { proxy: { transport: "unix", path: remote.socket }, poolMaxIdlePerHost: 0 };
  } else {
    baseUrl = remoteOrigin(name, remote).origin;
    if (remote.fingerprint !== undefined) {
      throw new InvalidArgumentError(
        `remote "${name}": Deno cannot pin a server certificate fingerprint (Deno.createHttpClient exposes no peer certificate); ` +
          "give the server's certificate as `ca` instead",
      );
    }
    const { ca, ...identity } = tlsIdentity(remote);
    // Deno adds these to its root store (DENO_TLS_CA_STORE, DENO_CERT); it cannot replace it.
    options = { ...identity, ...(ca !== undefined && { caCerts: [ca] }) };
  }
  const client = api.createHttpClient(options);
  // Websockets: our own client (websocket-client.ts: Deno's answers every ping, and a pong that
  // races LXD's close lost exec output), on the socket or a TLS connection with the same
  // certificates as the HTTP client.
  const open = (url: string) => {
    if (socket !== undefined) return () => api.connect({ transport: "unix", path: socket });
    const u = new URL(url);
    const { cert, key, caCerts } = options;
    return () =>
      api.connectTls({
        hostname: u.hostname.replace(/^\[|\]$/g, ""),
        port: Number(u.port || 443),
        ...(caCerts && { caCerts }),
        ...(cert !== undefined && { cert, key }),
      });
  };
  return {
    baseUrl,
    fetch: (input, init) =>
      fetch(input, { ...init, redirect: "error", client } as RequestInit).catch((err: unknown) => Promise.reject(withCode(err, socket))),
    webSocket: (url, opts) => denoWebSocket(open(url), url, opts) as unknown as WebSocket,
    close: async () => client.close(),
  };
}
