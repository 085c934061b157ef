// One error class per failure kind. Messages name the method and path, never a key, a token or
// an exec secret: `redact` strips secrets from any URL before it is stored.
import type { ExecOperationMetadata, Operation } from "../types/lxd.js";

/** Removes `secret=` (exec websockets, /wait?public) and any credentials from a path or URL. */
export function redact(pathOrUrl: string): string {
  return pathOrUrl.replace(/([?&](?:secret|token|password)=)[^&#\s"'<>]*/gi, "$1[redacted]").replace(/\/\/[^/@\s]*@/g, "//");
}

/** Base class of every error lxd-fetch throws. */
export class LxdFetchError extends Error {
  override name = "LxdFetchError";
}

/** Which request failed: its method, path (redacted when stored) and remote. */
export interface RequestContext {
  method: string;
  path: string;
  remote: string;
}

/** A failure of one request: says which method, path (secrets redacted) and remote. */
export class RequestError extends LxdFetchError {
  override name = "RequestError";
  declare readonly method: string;
  declare readonly path: string;
  declare readonly remote: string;
  constructor(ctx: RequestContext, detail: string, options?: ErrorOptions & { message?: string | undefined }) {
    const path = redact(ctx.path);
    super(redact(options?.message ?? `${ctx.method} ${path} on "${ctx.remote}": ${detail}`), options);
    this.method = ctx.method;
    this.path = path;
    this.remote = ctx.remote;
  }
}

/** LXD answered with its error envelope (`type: "error"`). */
export class LxdError extends RequestError {
  override name = "LxdError";
  /** HTTP status of the response. */
  declare readonly status: number;
  /** `error_code` from the envelope (LXD sets it to the HTTP status). */
  declare readonly errorCode: number;
  /** LXD's own message, e.g. "not authorized". */
  declare readonly lxdMessage: string;
  constructor(ctx: RequestContext & { status: number; errorCode: number; lxdMessage: string }, message?: string) {
    super(ctx, `${ctx.errorCode || ctx.status} ${ctx.lxdMessage}`, { message });
    this.status = ctx.status;
    this.errorCode = ctx.errorCode;
    this.lxdMessage = ctx.lxdMessage;
  }
}

/**
 * The operation is not (or no longer) known to LXD. A finished operation is kept for about
 * 5 seconds, so for an id that was valid this means "finished, outcome unknown".
 */
export class OperationGoneError extends LxdError {
  override name = "OperationGoneError";
}

/** The response was not an LXD envelope: HTML from a proxy, an empty body, malformed JSON. */
export class ResponseError extends RequestError {
  override name = "ResponseError";
  declare readonly status: number;
  declare readonly contentType: string;
  constructor(ctx: RequestContext & { status: number; contentType: string }, reason: string, options?: ErrorOptions) {
    super(ctx, `HTTP ${ctx.status}, ${reason}`, options);
    this.status = ctx.status;
    this.contentType = ctx.contentType;
  }
}

/** The request never got an HTTP answer: refused, reset, socket missing, DNS. */
export class ConnectionError extends RequestError {
  override name = "ConnectionError";
  /** The underlying system or TLS error code, e.g. ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT. */
  declare readonly code: string | undefined;
  constructor(ctx: RequestContext & { code: string | undefined; detail: string }, options?: ErrorOptions) {
    super(ctx, ctx.detail, options);
    this.code = ctx.code;
  }
}

/** The server's certificate was refused: not signed by the trusted CA, or not the pinned one. */
export class TlsError extends ConnectionError {
  override name = "TlsError";
}

/**
 * An Operation fit to carry on an error: a token operation's `metadata.secret` (a live trust
 * token) and an exec's websocket secrets (`metadata.fds`) are redacted, since errors get logged.
 */
export function redactOperation<T extends Operation | undefined>(op: T): T {
  const md = op?.metadata as Record<string, unknown> | null | undefined;
  if (!op || !md || (!("secret" in md) && !("fds" in md))) return op;
  const metadata: Record<string, unknown> = { ...md };
  if ("secret" in metadata) metadata.secret = "[redacted]";
  if (metadata.fds && typeof metadata.fds === "object") {
    metadata.fds = Object.fromEntries(Object.keys(metadata.fds).map((k) => [k, "[redacted]"]));
  }
  return { ...op, metadata } as T;
}

/** An operation reached a final state other than Success (Failure or Cancelled). */
export class OperationError extends LxdFetchError {
  override name = "OperationError";
  declare readonly statusCode: number;
  declare readonly status: string;
  /** LXD's `err` for the operation. */
  declare readonly err: string;
  declare readonly operation: Operation | undefined;
  constructor(id: string, state: { statusCode: number; status: string; err: string; operation?: Operation }) {
    super(`operation ${id} ended ${state.status} (${state.statusCode})${state.err ? `: ${state.err}` : ""}`);
    this.statusCode = state.statusCode;
    this.status = state.status;
    this.err = state.err;
    this.operation = redactOperation(state.operation);
  }
}

/** Something went wrong with the exec plumbing itself (not the command). */
export class ExecError extends LxdFetchError {
  override name = "ExecError";
}

/** The command finished but its input or output failed: its exit code and final state are kept. */
class ExecIoError extends ExecError {
  declare readonly exitCode: number;
  declare readonly operation: Operation<ExecOperationMetadata>;
  constructor(message: string, exit: { exitCode: number; operation: Operation<ExecOperationMetadata> }, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exit.exitCode;
    this.operation = redactOperation(exit.operation);
  }
}

/**
 * LXD closed an output socket without its end-of-stream frame: its reader failed and output
 * may be missing (LXD 5.0.2 does this now and then, more under load). The command did finish:
 * its exit code is here.
 */
export class ExecOutputError extends ExecIoError {
  override name = "ExecOutputError";
  declare readonly streams: ("stdout" | "stderr")[];
  constructor(
    id: string,
    streams: ("stdout" | "stderr")[],
    exitCode: number,
    operation: Operation<ExecOperationMetadata>,
    options?: ErrorOptions & { message?: string },
  ) {
    const message =
      options?.message ??
      `exec ${id}: LXD closed ${streams.join(" and ")} without end-of-stream; output may be incomplete (exit code ${exitCode})`;
    super(message, { exitCode, operation }, options?.cause === undefined ? undefined : { cause: options.cause });
    this.streams = streams;
  }
}

/**
 * A recorded run (`output: "record"`) finished, but the server's record of its output could not
 * be read: the operation named no file, or fetching it failed (`cause`). Never an empty string in
 * its place; the exit code is the operation's.
 */
export class ExecRecordError extends ExecOutputError {
  override name = "ExecRecordError";
  constructor(
    id: string,
    streams: ("stdout" | "stderr")[],
    exitCode: number,
    operation: Operation<ExecOperationMetadata>,
    detail: string,
    cause?: unknown,
  ) {
    const message = `exec ${id}: the recorded ${streams.join(" and ")} could not be read (${detail}); exit code ${exitCode}`;
    super(id, streams, exitCode, operation, { message: redact(message), ...(cause !== undefined && { cause }) });
  }
}

/**
 * The server gave up waiting for the exec's websockets before the command started (LXD 5.0 and
 * Incus 6.0 fail the operation with "Timed out waiting for websockets to connect" after 5 s,
 * current LXD after 10 s, and refuse later sockets with "Only running operations can be
 * connected"). The command never ran; exec sends it again by itself and throws this once
 * `attempts` all ended so.
 */
export class ExecNotStartedError extends ExecError {
  override name = "ExecNotStartedError";
  declare readonly attempts: number;
  declare readonly operation: Operation;
  constructor(id: string, attempts: number, operation: Operation, options?: ErrorOptions) {
    super(
      `exec ${id}: the server stopped waiting for the websockets before the command started (${operation.err}); it never ran (${attempts} attempt${attempts === 1 ? "" : "s"})`,
      options,
    );
    this.attempts = attempts;
    this.operation = redactOperation(operation);
  }
}

/**
 * `run()`'s input stream failed midway: the command was killed (SIGKILL, with stdin left open so
 * it sees no end of input first) rather than left to act on part of its input. `cause` is the
 * input's error; the exit code is the killed command's.
 */
export class ExecInputError extends ExecIoError {
  override name = "ExecInputError";
  constructor(id: string, exit: { exitCode: number; operation: Operation<ExecOperationMetadata> }, cause: unknown) {
    const message = `exec ${id}: the input stream failed, so the command was killed (exit code ${exit.exitCode}) before it could act on part of it`;
    super(message, exit, { cause });
  }
}

/** A client-side deadline passed before the operation was final. */
export class TimeoutError extends LxdFetchError {
  override name = "TimeoutError";
  declare readonly operation: Operation | undefined;
  constructor(message: string, operation?: Operation) {
    super(message);
    this.operation = redactOperation(operation);
  }
}

/** The caller's AbortSignal fired. `cause` is the signal's reason. */
export class AbortError extends LxdFetchError {
  override name = "AbortError";
  constructor(what: string, reason: unknown) {
    super(`${what}: aborted`, { cause: reason });
  }
}

/**
 * The server lacks the API extension a call needs (feature detection on `GET /1.0`'s
 * `api_extensions`): nothing but that `GET /1.0` was sent.
 */
export class UnsupportedError extends LxdFetchError {
  override name = "UnsupportedError";
  declare readonly extension: string;
  declare readonly remote: string;
  constructor(message: string, details: { extension: string; remote: string }) {
    super(message);
    this.extension = details.extension;
    this.remote = details.remote;
  }
}

/** Bad input caught before anything was sent: a malformed id, an unknown remote, a bad option. */
export class InvalidArgumentError extends LxdFetchError {
  override name = "InvalidArgumentError";
}

/** A file push's input stream failed midway: the file in the instance may be partly written. */
export class FileInputError extends LxdFetchError {
  override name = "FileInputError";
  /** Bytes read from the input before it failed. */
  declare readonly bytes: number;
  constructor(where: string, bytes: number, cause: unknown) {
    super(`${where}: the input stream failed after ${bytes} bytes; the file in the instance may be partly written`, { cause });
    this.bytes = bytes;
  }
}

/** A call that needs one type of file met another (listing a regular file, for one). */
export class FileTypeError extends LxdFetchError {
  override name = "FileTypeError";
  declare readonly path: string;
  declare readonly type: string;
  constructor(where: string, path: string, type: string, wanted: string) {
    super(`${where}: ${JSON.stringify(path)} is a ${type || "file of unknown type"}, not a ${wanted}`);
    this.path = path;
    this.type = type;
  }
}

/**
 * Signing in failed: no tokens and no way to get them, the identity provider refused (a revoked
 * or expired refresh token), or the server refused a freshly refreshed token. lxd-fetch refreshes
 * once and then throws this (no loop). Never carries a token, a refresh token or a cookie.
 */
export class AuthError extends LxdFetchError {
  override name = "AuthError";
  declare readonly remote: string;
  /** The OAuth error code when the identity provider gave one (e.g. `invalid_grant`). */
  declare readonly oauthError: string | undefined;
  constructor(message: string, details: { remote: string; oauthError?: string | undefined }) {
    super(message);
    this.remote = details.remote;
    this.oauthError = details.oauthError;
  }
}
/**
 * A page's request was refused for want of a sign-in (the server's cookie session is missing,
 * or it ended and the server could not refresh it): send the user to `loginUrl` (the server's
 * `/oidc/login`). Thrown by the browser's `sessionTransport`; never carries a cookie or a token.
 */
export class SignInRequiredError extends AuthError {
  override name = "SignInRequiredError";
  /** 401: the session ended (refresh refused); 403: no session. */
  declare readonly status: number;
  /** The server's own sign-in page: open it in the window (`location.assign`). */
  declare readonly loginUrl: string;
  constructor(message: string, details: { remote: string; status: number; loginUrl: string }) {
    super(message, { remote: details.remote });
    this.status = details.status;
    this.loginUrl = details.loginUrl;
  }
}
/** Where an instance copy or move came from and went to. */
export interface MigrationEnds {
  /** The source remote and instance. */
  from: { remote: string; name: string };
  /** The destination remote and instance. */
  to: { remote: string; name: string };
}

/**
 * An instance copy or move failed (a server's refusal, a broken stream, a failed operation; the
 * server's error is the `cause`). The source is untouched. `leftover` names an instance the
 * failure left on the destination that could not be removed; undefined when none was left.
 */
export class MigrationError extends LxdFetchError {
  override name = "MigrationError";
  declare readonly from: MigrationEnds["from"];
  declare readonly to: MigrationEnds["to"];
  declare readonly leftover: { remote: string; name: string } | undefined;
  constructor(
    what: string,
    ends: MigrationEnds,
    detail: string,
    options?: ErrorOptions & { leftover?: { remote: string; name: string } | undefined },
  ) {
    const left = options?.leftover ? `; instance "${options.leftover.name}" was left on "${options.leftover.remote}"` : "";
    super(
      redact(`${what} "${ends.from.name}" on "${ends.from.remote}" to "${ends.to.name}" on "${ends.to.remote}": ${detail}${left}`),
      options,
    );
    this.from = ends.from;
    this.to = ends.to;
    this.leftover = options?.leftover;
  }
}

/**
 * A stateful (live) copy or move of a running instance was refused: the source server cannot
 * checkpoint it (LXD needs CRIU for that, and says so). Stop the instance first, or copy it with
 * `stateless: true`.
 */
export class LiveMigrationError extends MigrationError {
  override name = "LiveMigrationError";
}
