// The typed core: `send` is the request pipeline (request.ts) with LXD's envelope read, its
// method, path, parameters, body and answer typed from the API description.
import { toEnvelope, type RequestContext } from "./envelope.js";
import type { FetchResponse, ParamsOption } from "openapi-fetch";
import type { RAW, RawBody } from "./raw-body.js";
import type { paths } from "../generated/lxd.js";
import { classifyFailure, type AnyInit, type Pipeline, type Where } from "./pipeline.js";
import type { Envelope } from "../types/lxd.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type { AnyInit, Where } from "./pipeline.js";

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

/** The internal core every API module is built on: the pipeline, and `send` for LXD's envelopes. */
export interface Core extends Pipeline {
  send<M extends Method, P extends PathsWith<M>, const I extends SendInit<M, P>>(
    where: Where,
    method: M,
    path: P,
    ...init: InitArg<I>
  ): Promise<Sent<SyncMetadata<M, P, I>>>;
}

/** `send` as its implementation takes it: any path, any init, metadata unknown. */
export type UntypedSend = (where: Where, method: Method, path: string, init?: AnyInit) => Promise<Sent>;

/**
 * For a helper generic over method and path (startOperation), whose own signature checks the
 * init against the path at each call site: instantiating `send`'s types with an open path is
 * more than TypeScript can represent once the spec has many paths.
 */
export const untypedSend = (core: Core): UntypedSend => core.send as unknown as UntypedSend;

export function createCore(pipeline: Pipeline): Core {
  async function send(where: Where, method: Method, path: string, init: AnyInit = {}): Promise<Sent> {
    const { ctx, response } = await pipeline.dispatch(where, method, path, init);
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw classifyFailure(ctx, err, init.signal);
    }
    return { ctx, status: response.status, headers: response.headers, envelope: toEnvelope(ctx, response, text) };
  }
  // The one place the spec's response types are trusted: the envelope is checked at run time
  // (toEnvelope), its metadata is LXD's as the spec describes it for `method path`.
  return { ...pipeline, send: send as Core["send"] };
}
