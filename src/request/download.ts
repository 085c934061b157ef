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

/**
 * The body with its read failures typed as every request's are (AbortError when the signal
 * fired, ConnectionError or TlsError otherwise) instead of the runtime's own: a stream that
 * breaks midway fails as the request would have. Pulls one chunk per read, so nothing is buffered.
 */
export function typedBody(
  ctx: RequestContext,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(out) {
        try {
          const { done, value } = await reader.read();
          if (done) out.close();
          else out.enqueue(value);
        } catch (err) {
          out.error(classifyFailure(ctx, err, signal));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
