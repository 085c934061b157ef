// A GET whose answer is a byte stream (an image export), not an envelope: the body is handed
// over unread. LXD's error envelope, or anything that is not the stream, becomes a typed error.
import type { PathsWith, SendInit } from "./core.js";
import { toEnvelope, unwrap, type RequestContext } from "./envelope.js";
import { ResponseError } from "../utils/errors.js";
import { type AnyInit, classifyFailure, type Pipeline, type Where } from "./pipeline.js";

export interface Opened {
  ctx: RequestContext;
  response: Response & { body: ReadableStream<Uint8Array> };
}

/** Sends `GET path` and resolves once the headers are in, with the body not yet read. */
export async function openDownload<P extends PathsWith<"GET">>(
  pipeline: Pipeline,
  where: Where,
  path: P,
  given: SendInit<"GET", P>,
): Promise<Opened> {
  const init: AnyInit = given;
  const { ctx, response } = await pipeline.dispatch(where, "GET", path, init);
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
