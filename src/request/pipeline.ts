// The request pipeline: every HTTP request of every capability (LXD envelopes, raw bodies,
// streamed downloads and uploads, `api()`) goes through `dispatch`, so the scope (project,
// target), the URL, the user's hooks and the classification of failures happen in one place.
import { AbortError, ConnectionError, InvalidArgumentError, LxdFetchError, type RequestContext, TlsError } from "../utils/errors.js";
import { RawBody } from "./raw-body.js";
import { causeCode, TLS_CODE } from "../transport/cause.js";
import type { Transport, TransportInit } from "../transport/types.js";
import { checkSegment, checkSignal, checkText } from "../utils/validate.js";

/** Where a connection's calls go: a remote, and the project and cluster member they default to. */
export interface Scope {
  readonly remote: string;
  /** The project a call uses unless it names its own or asks for all projects. */
  readonly project?: string | undefined;
  /** The cluster member a call goes to unless it names its own (`?target=`). */
  readonly target?: string | undefined;
}

/** A call's destination: a remote's name (undefined: the default remote) or a connection's scope. */
export type Where = string | undefined | Scope;

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a hook learns of the request besides the Request itself. */
export interface HookContext {
  readonly remote: string;
  readonly method: string;
  /** The path with its parameters, no query (as errors name it). */
  readonly path: string;
}

/**
 * Runs before a request goes out: return a Request to send instead (a header added, say), a
 * Response to answer without sending, or nothing. Websockets: headers a hook sets are sent where
 * the runtime's websocket can carry them (Node, Deno and Bun through lxd-fetch's transports).
 */
export type BeforeRequestHook = (
  request: Request,
  context: HookContext,
) => Request | Response | undefined | Promise<Request | Response | undefined>;
/** Runs on every response (errors included): return a Response to use instead, or nothing. */
export type AfterResponseHook = (
  request: Request,
  response: Response,
  context: HookContext,
) => Response | undefined | Promise<Response | undefined>;

export interface Hooks {
  beforeRequest?: readonly BeforeRequestHook[];
  afterResponse?: readonly AfterResponseHook[];
}

type Query = Record<string, string | number | boolean | undefined>;

/** What the pipeline reads of a request. */
export interface AnyInit {
  params?: { path?: Record<string, string>; query?: Query };
  /** JSON, or a RawBody sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** A long raw body either way (file contents): the transport's hint (TransportInit). */
  streamed?: boolean;
}

export interface Dispatched {
  ctx: RequestContext;
  response: Response;
}

export interface Pipeline {
  /** The scope of `where`, its remote checked. */
  scope(where: Where): Scope;
  /** The remote's name. */
  resolve(where: Where): string;
  transport(where: Where): Transport;
  /** Sends one request; the response comes unread, whatever its status. */
  dispatch(where: Where, method: Method, path: string, init?: AnyInit): Promise<Dispatched>;
  /**
   * One fetch through the user's hooks (a plain fetch when there are none): what `api()`'s
   * requests (request/forward.ts) go through besides `dispatch`. Failures are the transport's own.
   */
  exchange(t: Transport, url: string, init: TransportInit, context: HookContext): Promise<Response>;
  /** The client's `beforeRequest` hooks, which websockets' upgrade requests also go through (connection/web-socket.ts). */
  readonly before: readonly BeforeRequestHook[];
}

/**
 * The one rule for scopes, as LXD's Go client applies UseProject/UseTarget: a query's own
 * `project` or `target` wins, and `all-projects` drops the scope's project.
 */
export function scopedQuery(query: Query | undefined, scope: Scope): Query | undefined {
  const { project, target } = scope;
  if (project === undefined && target === undefined) return query;
  const out: Query = { ...query };
  if (project !== undefined && out.project === undefined && !out["all-projects"]) out.project = project;
  if (target !== undefined && out.target === undefined) out.target = target;
  return out;
}

/** Checks a scope's project and target (single segments) before anything is sent. */
export function checkScope(where: string, scope: { project?: unknown; target?: unknown }): void {
  if (scope.project !== undefined) checkSegment(where, "project", scope.project);
  if (scope.target !== undefined) checkSegment(where, "target", scope.target);
}

export function createPipeline(
  resolveName: (remote: string | undefined) => string,
  transportOf: (remote: string) => Transport,
  hooks: Hooks = {},
): Pipeline {
  const before = hooks.beforeRequest ?? [];
  const after = hooks.afterResponse ?? [];
  const scope = (where: Where): Scope => {
    if (typeof where === "object" && where !== null) {
      resolveName(where.remote);
      return where;
    }
    return { remote: resolveName(where) };
  };
  const resolve = (where: Where) => scope(where).remote;
  const transport = (where: Where) => transportOf(resolve(where));

  async function dispatch(where: Where, method: Method, path: string, init: AnyInit = {}): Promise<Dispatched> {
    const s = scope(where);
    const t = transportOf(s.remote);
    checkRequest(`${method} ${path}`, init);
    const ctx: RequestContext = { method, path: expandPath(path, init.params?.path), remote: s.remote };
    const url = t.baseUrl + ctx.path + queryString(scopedQuery(init.params?.query, s));
    try {
      return { ctx, response: await exchange(t, url, requestInit(method, init), ctx) };
    } catch (err) {
      throw classifyFailure(ctx, err, init.signal);
    }
  }

  // Hooks see a Request, as ky's do; built only when a hook is set (the hot path stays a plain fetch).
  const exchange =
    before.length + after.length === 0
      ? (t: Transport, url: string, init: TransportInit) => t.fetch(url, init)
      : async (t: Transport, url: string, init: TransportInit, context: HookContext): Promise<Response> => {
          const built = new Request(url, init);
          let request = built;
          let response: Response | undefined;
          for (const hook of before) {
            const out = await hook(request, context);
            if (out instanceof Response) {
              response = out;
              break;
            }
            if (out instanceof Request) request = out;
          }
          response ??= await t.fetch(request.url, fromRequest(request, init, request === built));
          for (const hook of after) {
            const out = await hook(request, response, context);
            if (out instanceof Response) response = out;
          }
          return response;
        };

  return { scope, resolve, transport, dispatch, exchange, before };
}

const JSON_HEADERS = { "content-type": "application/json" };

/** JSON, or a RawBody as it is; a stream needs `duplex: "half"` (fetch's rule for streamed uploads). */
function requestInit(method: string, init: AnyInit): TransportInit {
  const out: TransportInit & { duplex?: "half" } = { method };
  if (init.signal) out.signal = init.signal;
  if (init.streamed) out.streamed = true;
  const { body } = init;
  if (body instanceof RawBody) {
    out.body = body.body as BodyInit;
    out.headers = { ...body.headers, ...init.headers };
    if (typeof ReadableStream !== "undefined" && body.body instanceof ReadableStream) out.duplex = "half";
  } else if (body !== undefined) {
    out.body = JSON.stringify(body);
    out.headers = { ...JSON_HEADERS, ...init.headers };
  } else if (init.headers) out.headers = init.headers;
  return out;
}

/**
 * A hook's Request back into what the transport takes. Its headers always (a hook may set them in
 * place); the original body when the hook kept the Request, so bytes stay bytes (a browser sends a
 * stream only over HTTP/2), else the new Request's body stream, half duplex.
 */
function fromRequest(request: Request, init: TransportInit & { duplex?: "half" }, kept: boolean): TransportInit {
  const out: TransportInit & { duplex?: "half" } = { method: request.method, headers: request.headers, signal: init.signal ?? null };
  if (init.streamed) out.streamed = true;
  if (kept) {
    if (init.body !== undefined) out.body = init.body;
    if (init.duplex) out.duplex = init.duplex;
  } else if (request.body) {
    out.body = request.body;
    out.duplex = "half";
  }
  return out;
}

export function classifyFailure(ctx: RequestContext, err: unknown, signal?: AbortSignal): LxdFetchError {
  if (err instanceof LxdFetchError) return err;
  if (signal?.aborted) return new AbortError(`${ctx.method} ${ctx.path}`, signal.reason);
  const { code, detail } = causeCode(err);
  const Kind = code && TLS_CODE.test(code) ? TlsError : ConnectionError;
  return new Kind({ ...ctx, code, detail: code && !detail.includes(code) ? `${detail} (${code})` : detail }, { cause: err });
}

// openapi-fetch's serializers (createQuerySerializer, defaultPathSerializer) give the same URLs
// for LXD's flat parameters, but cost 1.6 KB gzip in a browser bundle and measured slower on the
// hot path (bench/operations.mjs): these are LXD's cases only.

/** `?a=1&b=x%20y`, skipping undefined values; encoded as openapi-fetch encodes them. */
export function queryString(query: Query | undefined): string {
  let out = "";
  // Index loops, not entries() and destructuring: this runs on every request (bench/operations.mjs).
  for (const k in query) {
    const v = query[k];
    if (v !== undefined) out += `${out ? "&" : "?"}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/**
 * The concrete path, with parameters encoded as they are on the wire (one segment each): each
 * `{name}` (one or more characters up to the first `}`) replaced. A scan, not a regex replace
 * with a callback: that alone measured about 2.5% of an `info` call (bench/operations.mjs).
 */
export function expandPath(path: string, params: Record<string, string> | undefined): string {
  let open = path.indexOf("{");
  if (open < 0) return path;
  let out = "";
  let from = 0;
  while (open >= 0) {
    const close = path.indexOf("}", open + 1);
    if (close < 0) break;
    if (close > open + 1) {
      const k = path.slice(open + 1, close);
      const v = params?.[k];
      if (v === undefined) throw new InvalidArgumentError(`${path}: path parameter "${k}" is missing`);
      out += path.slice(from, open) + encodeURIComponent(v);
      from = close + 1;
    }
    open = path.indexOf("{", close > open + 1 ? from : open + 1);
  }
  return out + path.slice(from);
}

/** Path parameters are single segments and query strings carry no NUL: checked before sending. */
function checkRequest(where: string, init: AnyInit): void {
  const path = init.params?.path;
  const query = init.params?.query;
  for (const k in path) checkSegment(where, k, path[k]);
  for (const k in query) if (typeof query[k] === "string") checkText(where, k, query[k]);
  checkSignal(where, init.signal);
}
