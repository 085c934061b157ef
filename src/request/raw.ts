// Requests whose body is not an LXD envelope: file contents and console logs come as raw bytes
// (and file pushes send them). They go through the same pipeline as every request (request.ts);
// an error answer is still LXD's envelope, read into the same typed errors.
import { lxdError, type RequestContext, toEnvelope, unexpectedAnswer } from "./envelope.js";
import { LxdError } from "../utils/errors.js";
import type { paths } from "../generated/lxd.js";
import { RawBody } from "./raw-body.js";
import { type AnyInit, classifyFailure, type Pipeline, type Where } from "./pipeline.js";
import type { Envelope } from "../types/lxd.js";

export type RawMethod = "GET" | "HEAD" | "POST" | "DELETE";

export interface RawInit<P extends keyof paths> {
  params: { path: paths[P]["parameters"]["path"]; query?: Record<string, string | undefined> };
  body?: Uint8Array | Blob | ReadableStream<Uint8Array> | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** File contents either way: the transport may carry them over a connection of its own (TransportInit). */
  streamed?: boolean;
}

export interface RawSent {
  ctx: RequestContext;
  response: Response;
}

/** Sends one request and returns a 2xx response unread; anything else is thrown as a typed error. */
export async function sendRaw<P extends keyof paths>(
  pipeline: Pipeline,
  where: Where,
  method: RawMethod,
  path: P,
  init: RawInit<P>,
): Promise<RawSent> {
  const { body, headers, signal } = init;
  const request: AnyInit = { params: init.params as NonNullable<AnyInit["params"]>, signal };
  if (init.streamed) request.streamed = true;
  if (body !== undefined) request.body = new RawBody(body, headers ?? {});
  else if (headers) request.headers = headers;
  const sent = await pipeline.dispatch(where, method, path, request);
  if (sent.response.ok) return sent;
  throw await failure(sent.ctx, sent.response, signal);
}

/** The envelope of a 2xx answer that carries one (a directory listing, a push's result). */
export async function readEnvelope(sent: RawSent, signal?: AbortSignal): Promise<Envelope> {
  let text: string;
  try {
    text = await sent.response.text();
  } catch (err) {
    throw classifyFailure(sent.ctx, err, signal);
  }
  return toEnvelope(sent.ctx, sent.response, text);
}

/** What `syncMetadata` reads of a raw answer. */
export async function envelopeOf(sent: RawSent, signal?: AbortSignal) {
  const { ctx, response } = sent;
  return { ctx, status: response.status, headers: response.headers, envelope: await readEnvelope(sent, signal) };
}

async function failure(ctx: RequestContext, response: Response, signal?: AbortSignal): Promise<Error> {
  // HEAD answers have no body: the status is all LXD says.
  if (ctx.method === "HEAD") {
    const lxdMessage = response.statusText || `HTTP ${response.status}`;
    return new LxdError({ ...ctx, status: response.status, errorCode: response.status, lxdMessage });
  }
  try {
    const sent = await envelopeOf({ ctx, response }, signal);
    if (sent.envelope.type === "error") return lxdError(ctx, response.status, sent.envelope);
    return unexpectedAnswer(sent, `a ${sent.envelope.type} envelope on a failure status`);
  } catch (err) {
    return err as Error;
  }
}
