// The seam between the runtime-neutral client and each runtime's networking. Everything that
// needs undici, Deno.createHttpClient or Bun's `tls` lives behind this interface.
import type { RemoteAuth } from "../auth/types.js";

/** A named HTTPS remote, as `lxc remote add` knows it. Certificates and keys are PEM text. */
export interface HttpsRemote {
  /** `https://host:8443` (an `http://` URL is accepted for a same-origin reverse proxy). */
  url: string;
  /** Client certificate and key that the server trusts (`lxc config trust add`). */
  cert?: string;
  key?: string;
  /** CA, or the server's own self-signed certificate, to verify the server against. */
  ca?: string;
  /** SHA-256 fingerprint of the server certificate to pin (hex, colons optional). */
  fingerprint?: string;
  /**
   * Signing in without a client certificate: `{ oidc: {...} }` (the device flow, refreshed
   * tokens; Node, Deno, Bun) or `{ bearer: source }` (`oidcAuth()`, or the app's own). The
   * bearer goes on every request and websocket of this remote only (docs/oidc.md).
   */
  auth?: RemoteAuth;
}

/** The local daemon over its unix socket (Node, Deno, Bun). */
export interface UnixRemote {
  socket: string;
}

export type RemoteConfig = HttpsRemote | UnixRemote;

/**
 * An LXD cluster: its members' URLs, tried in this order, with one set of certificates (every
 * member serves the cluster's certificate). Requests go to the member that answered last.
 */
export interface ClusterRemote extends Omit<HttpsRemote, "url"> {
  url: readonly string[];
}

/** What `createLxd({ remotes })` takes: one URL or socket, or a cluster's member URLs. */
export type RemoteOptions = RemoteConfig | ClusterRemote;

/** Hints for a transport's WebSocket; a runtime whose WebSocket cannot follow one ignores it. */
export interface SocketOptions {
  /**
   * Answer the server's pings (default true). Exec output sockets say false: a pong racing
   * LXD's close makes a runtime drop output it had received (see transport/node-websocket.ts).
   */
  answerPings?: boolean;
  /**
   * Headers for the upgrade request: those the request hooks set (a bearer token, a trace id).
   * lxd-fetch's own websockets (Node, Deno, Bun) send them; a browser's WebSocket cannot.
   */
  headers?: Record<string, string> | undefined;
}

/**
 * What a transport's fetch takes: RequestInit, and whether the request or its answer carries a
 * long raw body (file contents), which a transport may send over a connection it drives itself
 * (bun-http.ts). Other transports ignore the hint.
 */
export interface TransportInit extends RequestInit {
  streamed?: boolean;
}

export interface Transport {
  /** Absolute origin requests go to; `http://unix` for a socket (Deno: `http://127.0.0.1`, never looked up). */
  readonly baseUrl: string;
  /**
   * The runtime's fetch with this remote's connection settings (dispatcher, client, tls), never
   * following a redirect: LXD sends none, following one would carry the client's identity
   * elsewhere, and fetch keeps a copy of a streamed body for it (a tee nobody reads: a 512 MiB
   * upload held 528 MiB; with `redirect: "error"`, 33 MiB).
   */
  fetch(input: string | Request, init?: TransportInit): Promise<Response>;
  /** A WebSocket to a ws:// or wss:// URL of this remote, with the same connection settings. */
  webSocket(url: string, options?: SocketOptions): WebSocket;
  /**
   * How many execs may connect their websockets at once (default: no limit). A browser opens one
   * host's websockets one at a time, so it queues execs before their request instead (gate.ts).
   */
  readonly maxConnecting?: number;
  /** Headers of this remote's credentials for a websocket's upgrade request (a bearer token). */
  upgradeHeaders?(url: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Releases connections (an undici Agent, a Deno HttpClient). */
  close(): Promise<void>;
}

/**
 * Builds the transport of one remote. `config` is undefined for `local` when the user gave
 * none: each runtime knows where its local daemon is (a socket path, or the page's origin).
 */
export type TransportFactory = (name: string, config: RemoteConfig | undefined) => Transport;

export const isUnixRemote = (r: RemoteConfig): r is UnixRemote => "socket" in r && typeof r.socket === "string";
