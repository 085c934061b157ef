// A remote with several member URLs (an LXD cluster, where any member answers for all): one
// transport per member, and requests go to the member that answered last. A member that cannot
// be reached is skipped only when the request surely never reached it, so nothing is ever done
// twice: a request that may have reached a member and failed mid-way is the caller's error.
import { causeCode, TLS_CODE } from "./cause.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkText } from "../utils/validate.js";
import type { ClusterRemote, RemoteConfig, RemoteOptions, SocketOptions, Transport, TransportFactory } from "./types.js";

/** The transport of a remote as configured: a cluster's is a failover over one per member URL. */
export function remoteTransport(factory: TransportFactory, name: string, config: RemoteOptions | undefined): Transport {
  if (config === undefined || !isClusterRemote(config)) return factory(name, config);
  if (config.url.length === 0) throw new InvalidArgumentError(`remote "${name}": \`url\` lists no member URL`);
  for (const [i, url] of config.url.entries()) checkText(`remote "${name}"`, `url[${i}]`, url, { empty: false });
  return failoverTransport(config.url.map((url) => factory(name, { ...config, url } as RemoteConfig)));
}

const isClusterRemote = (r: RemoteOptions): r is ClusterRemote => Array.isArray((r as { url?: unknown }).url);

// Failures of the connection itself, before any request byte: refused, no route, no socket file,
// connect timeout (Node/undici, Bun), and a reset during the TLS handshake (Node says so only in
// the message). Deno names the connect phase in its message: "client error (Connect)".
const UNREACHED_CODE =
  /^(ECONNREFUSED|ENOENT|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|ConnectionRefused|FailedToOpenSocket)$/;
const UNREACHED_TEXT = /before secure TLS connection was established|client error \(Connect\)|Connection refused/i;
// Methods LXD only reads with: resent to the next member after any network failure.
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when the request cannot have reached the server: another member may take it. */
export function neverSent(err: unknown): boolean {
  const { code, detail } = causeCode(err);
  if (code !== undefined && (UNREACHED_CODE.test(code) || TLS_CODE.test(code))) return true;
  return UNREACHED_TEXT.test(detail) || (err instanceof Error && UNREACHED_TEXT.test(err.message));
}

/**
 * One transport over the members' transports (`members[i]` for the i-th URL). Requests built on
 * any member's origin are sent to the member in use; when it is unreachable they move on to the
 * next, which is kept for what follows. Websockets (events, exec) open through the member in use;
 * one that fails before opening moves it on, so the caller's retry (the events stream's
 * reconnect) reaches the next member.
 */
export function failoverTransport(members: readonly Transport[]): Transport {
  let current = 0;
  const origins = members.map((t) => t.baseUrl);
  const wsOrigins = origins.map((o) => o.replace(/^http/, "ws"));
  /** The path and query of a URL built on any member's origin; undefined for any other URL. */
  const pathOf = (url: string): string | undefined => {
    for (const o of [...origins, ...wsOrigins]) if (url.startsWith(o) && /^([/?]|$)/.test(url.slice(o.length))) return url.slice(o.length);
    return undefined;
  };
  const moveOn = (from: number) => {
    if (current === from) current = (from + 1) % members.length;
  };

  return {
    get baseUrl() {
      return origins[current]!;
    },
    async fetch(input, init) {
      const path = pathOf(typeof input === "string" ? input : input.url);
      if (path === undefined) return members[current]!.fetch(input, init);
      const replay = await replayable(input, init);
      const method = (replay.method ?? "GET").toUpperCase();
      const first = current;
      let failure: unknown;
      for (let i = 0; i < members.length; i++) {
        const k = (first + i) % members.length;
        try {
          const response = await members[k]!.fetch(origins[k] + path, replay);
          current = k;
          return response;
        } catch (err) {
          if (replay.signal?.aborted || !(neverSent(err) || READS.has(method))) throw err;
          failure = err;
          moveOn(k);
        }
      }
      throw failure;
    },
    webSocket(url: string, options?: SocketOptions) {
      const path = pathOf(url);
      if (path === undefined) return members[current]!.webSocket(url, options);
      const k = current;
      const ws = members[k]!.webSocket(wsOrigins[k] + path, options);
      const opened = () => ws.removeEventListener("close", failed);
      const failed = () => {
        ws.removeEventListener("open", opened);
        moveOn(k);
      };
      ws.addEventListener("open", opened, { once: true });
      ws.addEventListener("close", failed, { once: true });
      return ws;
    },
    ...(members[0]!.maxConnecting !== undefined && { maxConnecting: members[0]!.maxConnecting }),
    close: () => Promise.all(members.map((t) => t.close())).then(() => undefined),
  };
}

/** A request as init alone, its body as bytes or text, so another member can be sent the same. */
async function replayable(input: string | Request, init: RequestInit | undefined): Promise<RequestInit> {
  if (typeof input === "string") return init ?? {};
  const body = input.body === null ? undefined : await input.arrayBuffer();
  return {
    method: input.method,
    headers: input.headers,
    signal: input.signal,
    ...(body !== undefined && { body }),
    ...init,
  };
}
