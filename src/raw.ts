// Requests whose body is not an LXD envelope: file contents and console logs come as raw bytes
// (and file pushes send them). The URL is built and failures are classified by the core's own
// functions; an error answer is still LXD's envelope, read into the same typed errors.
import { type AnyInit, classifyFailure, locate } from "./core.js";
import { lxdError, type RequestContext, toEnvelope, unexpectedAnswer } from "./envelope.js";
import { LxdError } from "./errors.js";
import type { paths } from "./generated/lxd.js";
import type { Transport } from "./transport/types.js";
import type { Envelope } from "./types.js";

export type RawMethod = "GET" | "HEAD" | "POST" | "DELETE";

export interface RawInit<P extends keyof paths> {
  params: { path: paths[P]["parameters"]["path"]; query?: Record<string, string | undefined> };
  body?: Uint8Array | Blob | ReadableStream<Uint8Array> | undefined;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export interface RawDeps {
  resolve(remote: string | undefined): string;
  transport(remote: string): Transport;
}

export interface RawSent {
  ctx: RequestContext;
  response: Response;
}

/** Sends one request and returns a 2xx response unread; anything else is thrown as a typed error. */
export async function sendRaw<P extends keyof paths>(
  deps: RawDeps,
  remote: string | undefined,
  method: RawMethod,
  path: P,
  init: RawInit<P>,
): Promise<RawSent> {
  const name = deps.resolve(remote);
  const transport = deps.transport(name);
  const { ctx, url } = locate(name, transport, method, path, init as AnyInit);
  const { body, headers, signal } = init;
  let response: Response;
  try {
    response = await transport.fetch(url, {
      method,
      ...(body !== undefined && { body }),
      // A streamed request body needs half duplex (fetch refuses it otherwise).
      ...(body instanceof ReadableStream && { duplex: "half" }),
      ...(headers && { headers }),
      ...(signal && { signal }),
    } as RequestInit);
  } catch (err) {
    throw classifyFailure(ctx, err, signal);
  }
  if (response.ok) return { ctx, response };
  throw await failure(ctx, response, signal);
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
