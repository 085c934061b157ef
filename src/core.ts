// The request core: every helper's request goes through `send`, so URLs, bodies, envelopes
// and failures are handled in one place.
import { AbortError, ConnectionError, LxdFetchError, TlsError } from "./errors.js";
import { toEnvelope, type RequestContext } from "./envelope.js";
import { RawBody } from "./raw-body.js";
import type { paths } from "./generated/lxd.js";
import type { Transport } from "./transport/types.js";
import type { Envelope } from "./types.js";
import { checkSegment, checkSignal, checkText } from "./validate.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

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

export function createCore(resolve: (remote: string | undefined) => string, transportOf: (remote: string) => Transport): Core {
  return {
    resolve,
    async send(remote, method, path, init = {}) {
      const name = resolve(remote);
      checkRequest(`${method} ${path}`, init);
      const transport = transportOf(name);
      const ctx: RequestContext = { method, path: expandPath(path, init.params?.path), remote: name };
      // The helpers' hot path builds the request itself: openapi-fetch's Request object and
      // middleware pass cost more than LXD's own answer time (bench/operations).
      const url = transport.baseUrl + ctx.path + queryString(init.params?.query);
      let response: Response;
      let text: string;
      try {
        response = await transport.fetch(url, {
          method,
          ...bodyInit(init.body),
          ...(init.signal && { signal: init.signal }),
        });
        text = await response.text();
      } catch (err) {
        throw classifyFailure(ctx, err, init.signal);
      }
      return { ctx, status: response.status, envelope: toEnvelope(ctx, response, text) };
    },
  };
}

const JSON_HEADERS = { "content-type": "application/json" };

/** JSON, or a RawBody as it is; a stream needs `duplex: "half"` (fetch's rule for streamed uploads). */
function bodyInit(body: unknown): RequestInit {
  if (body === undefined) return {};
  if (!(body instanceof RawBody)) return { body: JSON.stringify(body), headers: JSON_HEADERS };
  const init: RequestInit & { duplex?: "half" } = { body: body.body as BodyInit, headers: body.headers };
  if (typeof ReadableStream !== "undefined" && body.body instanceof ReadableStream) init.duplex = "half";
  return init;
}

/** Path parameters are single segments and query strings carry no NUL: checked before sending. */
function checkRequest(where: string, init: SendInit): void {
  for (const [k, v] of Object.entries(init.params?.path ?? {})) checkSegment(where, k, v);
  for (const [k, v] of Object.entries(init.params?.query ?? {})) if (typeof v === "string") checkText(where, k, v);
  checkSignal(where, init.signal);
}

/** `?a=1&b=x%20y`, skipping undefined values; encoded as openapi-fetch encodes them. */
export function queryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return "";
  let out = "";
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) out += `${out ? "&" : "?"}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/** The concrete path, with parameters encoded as they are on the wire. */
export function expandPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{([^}]+)\}/g, (_, k: string) => encodeURIComponent(params?.[k] ?? `{${k}}`));
}
