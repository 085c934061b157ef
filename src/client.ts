// The runtime-neutral client: remotes, one typed openapi-fetch client per remote, and `send`,
// through which every request goes so that errors are classified in one place.
import createClient, { type Client } from "openapi-fetch";
import { AbortError, ConnectionError, InvalidArgumentError, LxdFetchError, TlsError } from "./errors.js";
import { toEnvelope, type RequestContext } from "./envelope.js";
import type { paths } from "./generated/lxd.js";
import { createOperations, type OperationsApi } from "./operations.js";
import type { RemoteConfig, Transport, TransportFactory } from "./transport/types.js";
import type { Envelope } from "./types.js";

export interface LxdOptions {
  /** Named remotes. `local` needs no entry: it is the unix socket (or the page's origin). */
  remotes?: Record<string, RemoteConfig>;
  /** The remote used when a call names none. Default `local`. */
  defaultRemote?: string;
  /** Replaces the runtime's transport (tests, proxies, custom agents). */
  transport?: TransportFactory;
}

export interface Lxd {
  readonly defaultRemote: string;
  /** Configured remote names, `local` included. */
  readonly remotes: readonly string[];
  readonly operations: OperationsApi;
  /** The typed openapi-fetch client of a remote, for endpoints without a helper yet. */
  api(remote?: string): Client<paths>;
  /** Closes every connection this client opened. */
  close(): Promise<void>;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface SendInit {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | boolean | undefined> };
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface Sent {
  ctx: RequestContext;
  status: number;
  envelope: Envelope;
}

/** The internal core every API module is built on. */
export interface Core {
  resolve(remote: string | undefined): string;
  send(remote: string | undefined, method: Method, path: keyof paths, init?: SendInit): Promise<Sent>;
}

interface Connection {
  transport: Transport;
  api: Client<paths>;
}

// Codes from OpenSSL, Node and undici that mean "the server's certificate was refused".
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|FINGERPRINT|HOSTNAME|ALTNAME/i;

function causeCode(err: unknown): { code: string | undefined; detail: string } {
  let e: unknown = err;
  // fetch wraps the socket error: TypeError("fetch failed", { cause: Error{code} }).
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return { code, detail: e.message };
    e = e.cause;
  }
  const detail = e instanceof Error ? e.message : err instanceof Error ? err.message : String(err);
  return { code: undefined, detail };
}

export function classifyFailure(ctx: RequestContext, err: unknown, signal?: AbortSignal): LxdFetchError {
  if (err instanceof LxdFetchError) return err;
  if (signal?.aborted) return new AbortError(`${ctx.method} ${ctx.path}`, signal.reason);
  const { code, detail } = causeCode(err);
  const Kind = code && TLS_CODE.test(code) ? TlsError : ConnectionError;
  return new Kind({ ...ctx, code, detail: code && !detail.includes(code) ? `${detail} (${code})` : detail }, { cause: err });
}

export function createLxdClient(options: LxdOptions, defaultTransport: TransportFactory): Lxd {
  const configs = { ...options.remotes };
  const names = [...new Set(["local", ...Object.keys(configs)])];
  const defaultRemote = options.defaultRemote ?? "local";
  if (!names.includes(defaultRemote)) throw new InvalidArgumentError(`defaultRemote "${defaultRemote}" is not a configured remote`);
  const factory = options.transport ?? defaultTransport;
  // Built up front so a bad URL or fingerprint fails here; no connection is opened yet.
  const connections = new Map<string, Connection>(
    names.map((name) => {
      const transport = factory(name, configs[name]);
      return [name, { transport, api: createClient<paths>({ baseUrl: transport.baseUrl, fetch: (r) => transport.fetch(r) }) }];
    }),
  );

  const resolve = (remote: string | undefined): string => {
    const name = remote ?? defaultRemote;
    if (typeof name !== "string" || !names.includes(name)) {
      throw new InvalidArgumentError(`unknown remote ${JSON.stringify(name)} (configured: ${names.join(", ")})`);
    }
    return name;
  };

  const connect = (remote: string | undefined): Connection => {
    const conn = connections.get(resolve(remote));
    if (!conn) throw new InvalidArgumentError("this client is closed");
    return conn;
  };

  const core: Core = {
    resolve,
    async send(remote, method, path, init = {}) {
      const name = resolve(remote);
      const { transport } = connect(name);
      const ctx: RequestContext = { method, path: expandPath(path, init.params?.path), remote: name };
      // The helpers' hot path builds the request itself: openapi-fetch's Request object and
      // middleware pass cost more than LXD's own answer time (bench/operations).
      const url = transport.baseUrl + ctx.path + queryString(init.params?.query);
      let response: Response;
      let text: string;
      try {
        response = await transport.fetch(url, {
          method,
          ...(init.body !== undefined && { body: JSON.stringify(init.body), headers: JSON_HEADERS }),
          ...(init.signal && { signal: init.signal }),
        });
        text = await response.text();
      } catch (err) {
        throw classifyFailure(ctx, err, init.signal);
      }
      return { ctx, status: response.status, envelope: toEnvelope(ctx, response, text) };
    },
  };

  return {
    defaultRemote,
    remotes: names,
    operations: createOperations(core),
    api: (remote) => connect(remote).api,
    async close() {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map((c) => c.transport.close()));
    },
  };
}

const JSON_HEADERS = { "content-type": "application/json" };

/** `?a=1&b=x%20y`, skipping undefined values; encoded as openapi-fetch encodes them. */
function queryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return "";
  let out = "";
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) out += `${out ? "&" : "?"}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/** The concrete path, with parameters encoded as they are on the wire. */
function expandPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{([^}]+)\}/g, (_, k: string) => encodeURIComponent(params?.[k] ?? `{${k}}`));
}
