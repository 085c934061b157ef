// The request core: every helper's request goes through `send`, so URLs, bodies, envelopes
// and failures are handled in one place.
import { AbortError, ConnectionError, LxdFetchError, TlsError } from "./errors.js";
import { toEnvelope, type RequestContext } from "./envelope.js";
import type { FetchResponse, ParamsOption } from "openapi-fetch";
import { type RAW, RawBody } from "./raw-body.js";
import type { paths } from "./generated/lxd.js";
import { causeCode, TLS_CODE } from "./transport/cause.js";
import type { Transport } from "./transport/types.js";
import type { Envelope } from "./types.js";
import { checkSegment, checkSignal, checkText } from "./validate.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The generated description of `method path` (openapi-typescript's operation object). */
type Described<M extends Method, P extends keyof paths> = paths[P][Lowercase<M>];

/** Paths that have `method` in LXD's API description. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends { [K in Lowercase<M>]: object } ? P : never;
}[keyof paths];

/** Paths whose `method` answers with an operation (HTTP 202 in the spec). */
export type AsyncPaths<M extends Method> = {
  [P in PathsWith<M>]: Described<M, P> extends { responses: { 202: unknown } } ? P : never;
}[PathsWith<M>];

/**
 * What `method path` takes: its path and query parameters (openapi-fetch's rules: required when
 * the spec requires them), its body, and a signal.
 */
export type SendInit<M extends Method = Method, P extends PathsWith<M> = PathsWith<M>> = InitOf<Described<M, P>>;

/**
 * One operation's init. Distributing once over the operations (an open method or path is a union
 * of them) keeps the union at one member each: params and body distributed apart would multiply
 * (paths × paths members), which TypeScript builds whenever it needs `SendInit`'s constraint.
 */
type InitOf<D> = D extends unknown ? ParamsOption<D> & BodyOption<D> & { signal?: AbortSignal | undefined } : never;

/**
 * The body the spec gives: its JSON, which a RawBody never passes for, and a RawBody where the
 * spec also takes other media (an image upload: a tarball, or multipart).
 */
type BodyOf<D> = D extends { requestBody?: { content: infer C } }
  ?
      | (C extends { "application/json": infer J } ? J & { readonly [RAW]?: never } : never)
      | (Exclude<keyof C, "application/json"> extends never ? never : RawBody)
  : never;
type BodyOption<D> = [BodyOf<D>] extends [never]
  ? { body?: never }
  : D extends { requestBody: object }
    ? { body: BodyOf<D> }
    : { body?: BodyOf<D> };

/** The query `init` gives, for the recursion forms. */
type QueryOf<I> = I extends { params?: { query?: infer Q } } ? NonNullable<Q> : object;

/** A URL list, or a map of URL lists: the form LXD answers without `recursion`. */
type UrlForm = string[] | { [key: string]: string[] };

/**
 * The spec gives a listing's forms as one union (scripts/generate.mjs); the query picks one:
 * no `recursion` (or 0) the URLs, a literal 1 or 2 the objects, anything else the union.
 */
type ByRecursion<T, Q> = [Extract<T, UrlForm>] extends [never]
  ? T
  : [RecursionOf<Q>] extends [1 | 2]
    ? Exclude<T, UrlForm>
    : [RecursionOf<Q>] extends [0 | undefined]
      ? Extract<T, UrlForm>
      : T;

/**
 * The query's `recursion` (undefined when it has none). Read by key: a query of other keys only
 * is not assignable to `{ recursion?: 0 }` (TypeScript's weak-type rule), yet it asks for URLs.
 */
type RecursionOf<Q> = "recursion" extends keyof Q ? Q[keyof Q & "recursion"] : undefined;

/** The metadata of the sync answer of `method path` (unknown where the spec has none). */
export type SyncMetadata<M extends Method, P extends PathsWith<M>, I = unknown> = ByRecursion<
  Described<M, P> extends infer D extends Record<string | number, unknown>
    ? Extract<NonNullable<FetchResponse<D, unknown, "application/json">["data"]>, { type: "sync" }> extends { metadata: infer T }
      ? T
      : unknown
    : unknown,
  QueryOf<I>
>;

export interface Sent<T = unknown> {
  ctx: RequestContext;
  status: number;
  /** Read only when a failure is reported (its content-type). */
  headers: Headers;
  envelope: Envelope<T>;
}

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** `init` is optional where the spec requires nothing, as in openapi-fetch. */
export type InitArg<I> = RequiredKeys<I> extends never ? [init?: I] : [init: I];

/** What the implementation reads of any `SendInit`. */
export interface AnyInit {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | boolean | undefined> };
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** The internal core every API module is built on. */
export interface Core {
  resolve(remote: string | undefined): string;
  send<M extends Method, P extends PathsWith<M>, const I extends SendInit<M, P>>(
    remote: string | undefined,
    method: M,
    path: P,
    ...init: InitArg<I>
  ): Promise<Sent<SyncMetadata<M, P, I>>>;
}

/** `send` as its implementation takes it: any path, any init, metadata unknown. */
export type UntypedSend = (remote: string | undefined, method: Method, path: string, init?: AnyInit) => Promise<Sent>;

/**
 * For a helper generic over method and path (startOperation), whose own signature checks the
 * init against the path at each call site: instantiating `send`'s types with an open path is
 * more than TypeScript can represent once the spec has many paths.
 */
export const untypedSend = (core: Core): UntypedSend => core.send as unknown as UntypedSend;

export function classifyFailure(ctx: RequestContext, err: unknown, signal?: AbortSignal): LxdFetchError {
  if (err instanceof LxdFetchError) return err;
  if (signal?.aborted) return new AbortError(`${ctx.method} ${ctx.path}`, signal.reason);
  const { code, detail } = causeCode(err);
  const Kind = code && TLS_CODE.test(code) ? TlsError : ConnectionError;
  return new Kind({ ...ctx, code, detail: code && !detail.includes(code) ? `${detail} (${code})` : detail }, { cause: err });
}

export function createCore(resolve: (remote: string | undefined) => string, transportOf: (remote: string) => Transport): Core {
  async function send(remote: string | undefined, method: Method, path: string, init: AnyInit = {}): Promise<Sent> {
    const name = resolve(remote);
    const transport = transportOf(name);
    const { ctx, url } = locate(name, transport, method, path, init);
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
    return { ctx, status: response.status, headers: response.headers, envelope: toEnvelope(ctx, response, text) };
  }
  // The one place the spec's response types are trusted: the envelope is checked at run time
  // (toEnvelope), its metadata is LXD's as the spec describes it for `method path`.
  return { resolve, send: send as Core["send"] };
}

const JSON_HEADERS = { "content-type": "application/json" };

// openapi-fetch's serializers (createQuerySerializer, defaultPathSerializer) give the same URLs
// for LXD's flat parameters, but cost 1.6 KB gzip in a browser bundle (operations.list alone: 6.8
// KB against 5.2) and measured slower on the hot path (bench/operations): these are LXD's cases only.

/** JSON, or a RawBody as it is; a stream needs `duplex: "half"` (fetch's rule for streamed uploads). */
function bodyInit(body: unknown): RequestInit {
  if (body === undefined) return {};
  if (!(body instanceof RawBody)) return { body: JSON.stringify(body), headers: JSON_HEADERS };
  const init: RequestInit & { duplex?: "half" } = { body: body.body as BodyInit, headers: body.headers };
  if (typeof ReadableStream !== "undefined" && body.body instanceof ReadableStream) init.duplex = "half";
  return init;
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

/** The concrete path, with parameters encoded as they are on the wire (one segment each). */
export function expandPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{([^}]+)\}/g, (_, k: string) => encodeURIComponent(params?.[k] ?? `{${k}}`));
}

/**
 * The request's context (for errors) and URL on `transport`, its parameters checked first and
 * encoded as openapi-fetch encodes them (queryString, expandPath). The helpers' hot path builds the request itself:
 * openapi-fetch's Request object and middleware pass cost more than LXD's own answer time
 * (bench/operations).
 */
export function locate(
  remote: string,
  transport: Transport,
  method: string,
  path: string,
  init: AnyInit,
): { ctx: RequestContext; url: string } {
  checkRequest(`${method} ${path}`, init);
  const ctx: RequestContext = { method, path: expandPath(path, init.params?.path), remote };
  return { ctx, url: transport.baseUrl + ctx.path + queryString(init.params?.query) };
}

/** Path parameters are single segments and query strings carry no NUL: checked before sending. */
function checkRequest(where: string, init: AnyInit): void {
  for (const [k, v] of Object.entries(init.params?.path ?? {})) checkSegment(where, k, v);
  for (const [k, v] of Object.entries(init.params?.query ?? {})) if (typeof v === "string") checkText(where, k, v);
  checkSignal(where, init.signal);
}
