// A GET whose answer is a byte stream (an image export), not an envelope: the body is handed
// over unread. LXD's error envelope, or anything that is not the stream, becomes a typed error.
import { type AnyInit, classifyFailure, expandPath, type PathsWith, queryString, type SendInit } from "./core.js";
import { toEnvelope, unwrap, type RequestContext } from "./envelope.js";
import { ResponseError } from "./errors.js";
import type { Transport } from "./transport/types.js";
import { checkSegment, checkSignal } from "./validate.js";

export interface Opened {
  ctx: RequestContext;
  response: Response & { body: ReadableStream<Uint8Array> };
}

/** Sends `GET path` and resolves once the headers are in, with the body not yet read. */
export async function openDownload<P extends PathsWith<"GET">>(
  remote: string,
  transport: Transport,
  path: P,
  given: SendInit<"GET", P>,
): Promise<Opened> {
  const init: AnyInit = given;
  for (const [k, v] of Object.entries(init.params?.path ?? {})) checkSegment(`GET ${path}`, k, v);
  checkSignal(`GET ${path}`, init.signal);
  const ctx: RequestContext = { method: "GET", path: expandPath(path, init.params?.path), remote };
  let response: Response;
  try {
    response = await transport.fetch(transport.baseUrl + ctx.path + queryString(init.params?.query), {
      ...(init.signal && { signal: init.signal }),
    });
  } catch (err) {
    throw classifyFailure(ctx, err, init.signal);
  }
  const type = response.headers.get("content-type") ?? "";
  if (response.ok && response.body && !/json/i.test(type)) return { ctx, response: response as Opened["response"] };
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw classifyFailure(ctx, err, init.signal);
  }
  unwrap(ctx, response.status, toEnvelope(ctx, response, text)); // throws LxdError for LXD's error envelope
  throw new ResponseError({ ...ctx, status: response.status, contentType: type }, "expected a byte stream, got an LXD envelope");
}
