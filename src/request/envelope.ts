// LXD's response envelope, handled in one place: every response is read here, and every way a
// body can be wrong becomes a typed error (never a bare SyntaxError).
import { LxdError, type RequestContext, ResponseError } from "../utils/errors.js";
import type { Envelope, Operation } from "../types/lxd.js";

export type { RequestContext } from "../utils/errors.js";

/** What a successful call gives: sync metadata, or the operation an async call started. */
export type Outcome<T> = { type: "sync"; metadata: T } | { type: "async"; id: string; operation: Operation };

const SNIPPET = 120;

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET ? `${flat.slice(0, SNIPPET)}…` : flat;
}

/**
 * Parses `body` (the text of a response, or what openapi-fetch already parsed from an error
 * response) into a checked envelope. The discriminant is `type`; key presence means nothing.
 */
export function toEnvelope(ctx: RequestContext, response: Response, body: unknown): Envelope {
  // Every request's answer passes here: the failure paths alone build closures, trim or test regexes.
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch (cause) {
      // An empty or blank body never parses: said as such rather than as malformed JSON.
      if (body.trim() === "") throw fail(ctx, response, "empty body where an LXD envelope was expected");
      // HTML from a proxy or a captive portal is quoted (shortened) to say where it came from.
      const type = contentType(response);
      const looksJson = /json/i.test(type) || /^\s*[[{]/.test(body);
      throw fail(
        ctx,
        response,
        looksJson ? "malformed JSON body" : `not an LXD response (${type || "no content-type"}): ${snippet(body)}`,
        cause,
      );
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw fail(ctx, response, "body is not a JSON object");
  const env = value as Record<string, unknown>;
  switch (env.type) {
    case "sync":
      return env as unknown as Envelope;
    case "async": {
      const op = env.metadata as Partial<Operation> | null;
      if (!op || typeof op !== "object" || typeof op.id !== "string") throw fail(ctx, response, "async envelope without an operation");
      return env as unknown as Envelope;
    }
    case "error":
      if (typeof env.error !== "string") throw fail(ctx, response, "error envelope without a message");
      return env as unknown as Envelope;
    default:
      throw fail(ctx, response, `unknown envelope type ${JSON.stringify(env.type)}`);
  }
}

const contentType = (response: Response): string => response.headers.get("content-type") ?? "";

function fail(ctx: RequestContext, response: Response, reason: string, cause?: unknown): ResponseError {
  return new ResponseError(
    { ...ctx, status: response.status, contentType: contentType(response) },
    reason,
    cause === undefined ? undefined : { cause },
  );
}

export function lxdError(ctx: RequestContext, status: number, env: Extract<Envelope, { type: "error" }>): LxdError {
  return new LxdError({ ...ctx, status, errorCode: Number(env.error_code) || status, lxdMessage: env.error });
}

/** sync → metadata; async → the operation; error → LxdError. */
export function unwrap<T>(ctx: RequestContext, status: number, env: Envelope<T>): Outcome<T> {
  switch (env.type) {
    case "sync":
      return { type: "sync", metadata: env.metadata };
    case "async":
      return { type: "async", id: env.metadata.id, operation: env.metadata };
    case "error":
      throw lxdError(ctx, status, env);
  }
}

/** A well-formed envelope of the wrong kind for the call: the server's answer is at fault, not the input. */
export function unexpectedAnswer(sent: { ctx: RequestContext; status: number; headers: Headers }, reason: string): ResponseError {
  return new ResponseError({ ...sent.ctx, status: sent.status, contentType: sent.headers.get("content-type") ?? "" }, reason);
}

/** The metadata of a call that must answer sync (an async answer is a protocol surprise). */
export function syncMetadata<T>(sent: { ctx: RequestContext; status: number; headers: Headers; envelope: Envelope<T> }): T {
  const env = sent.envelope;
  if (env.type === "error") throw lxdError(sent.ctx, sent.status, env);
  if (env.type !== "sync") throw unexpectedAnswer(sent, "unexpected async answer where sync metadata was expected");
  return env.metadata;
}
