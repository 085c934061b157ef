// The operations API: list, info, cancel and wait, each with an optional result mutator as its
// last argument (the shape of the original PHP helpers).
import type { Core, Sent } from "./client.js";
import { requireExtension, type InfoCache } from "./server.js";
import { lxdError, syncMetadata } from "./envelope.js";
import { AbortError, InvalidArgumentError, LxdError, OperationError, OperationGoneError, TimeoutError } from "./errors.js";
import { isFinal, StatusCode, type Operation, type OperationMap } from "./types.js";
import { apply, tail, type Mutator } from "./mutator.js";
import { checkBoolean, checkMs, checkSegment } from "./validate.js";

export type { Mutator } from "./mutator.js";

export interface ListOptions {
  /** Full Operation objects instead of URLs, in the same single request. */
  recursion?: boolean;
  project?: string;
  /**
   * Every project. Needs the extension `operations_get_query_all_projects` (LXD ≥ 5.0.3, Incus):
   * LXD 5.0.2 ignores the parameter and lists the default project only, so without the
   * extension the call rejects with UnsupportedError instead.
   */
  allProjects?: boolean;
  signal?: AbortSignal;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Milliseconds before rejecting with TimeoutError. Default: no limit. */
  timeout?: number;
  signal?: AbortSignal;
}

type ListResult<O> = O extends { recursion: true } ? OperationMap<Operation> : OperationMap<string>;

export interface OperationsApi {
  list(remote?: string): Promise<OperationMap<string>>;
  list<R>(remote: string | undefined, mutator: Mutator<OperationMap<string>, R>): Promise<Awaited<R>>;
  list<const O extends ListOptions>(remote: string | undefined, options: O): Promise<ListResult<O>>;
  list<const O extends ListOptions, R>(remote: string | undefined, options: O, mutator: Mutator<ListResult<O>, R>): Promise<Awaited<R>>;

  info(remote: string | undefined, id: string, options?: CallOptions): Promise<Operation>;
  info<R>(remote: string | undefined, id: string, mutator: Mutator<Operation, R>): Promise<Awaited<R>>;
  info<R>(remote: string | undefined, id: string, options: CallOptions, mutator: Mutator<Operation, R>): Promise<Awaited<R>>;

  /** Cancels the operation (`DELETE`). LXD refuses operations that are not `may_cancel`. */
  delete(remote: string | undefined, id: string, options?: CallOptions): Promise<void>;
  delete<R>(remote: string | undefined, id: string, mutator: Mutator<void, R>): Promise<Awaited<R>>;
  delete<R>(remote: string | undefined, id: string, options: CallOptions, mutator: Mutator<void, R>): Promise<Awaited<R>>;
  /** Same as `delete`. */
  cancel: OperationsApi["delete"];

  /**
   * Resolves with the final Operation when it succeeded. Rejects with OperationError (Failure,
   * Cancelled), TimeoutError, AbortError, or OperationGoneError when LXD no longer knows the
   * id (it keeps finished operations about 5 s: the outcome is then unknown).
   */
  wait(remote: string | undefined, id: string, options?: WaitOptions): Promise<Operation>;
  wait<R>(remote: string | undefined, id: string, mutator: Mutator<Operation, R>): Promise<Awaited<R>>;
  wait<R>(remote: string | undefined, id: string, options: WaitOptions, mutator: Mutator<Operation, R>): Promise<Awaited<R>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPERATION_URL = /^\/1\.0\/operations\/([^/?#]+)(?:\?[^#]*)?$/;

/** Accepts an operation id or the URL LXD lists it under; anything else is refused unsent. */
export function operationId(idOrUrl: unknown): string {
  if (typeof idOrUrl === "string") {
    const id = OPERATION_URL.exec(idOrUrl)?.[1] ?? idOrUrl;
    if (UUID.test(id)) return id.toLowerCase();
  }
  const shown = typeof idOrUrl === "string" ? JSON.stringify(idOrUrl.slice(0, 80)) : typeof idOrUrl;
  throw new InvalidArgumentError(`invalid operation id ${shown}: expected a UUID or /1.0/operations/<uuid>`);
}

const ROUND_SECONDS = 30; // one /wait request at most; below undici's 300 s headers timeout
const MIN_ROUND_MS = 250; // a server that answers early with a non-final state is not spun on

export function createOperations(core: Core, serverInfo: InfoCache): OperationsApi {
  /** Per-id calls: a 404 means LXD does not (or no longer) know the operation. */
  const byId = async <T>(remote: string | undefined, method: "GET" | "DELETE", id: string, signal?: AbortSignal): Promise<T> => {
    const sent = await core.send(remote, method, "/1.0/operations/{id}", { params: { path: { id } }, signal });
    try {
      return syncMetadata<T>(sent);
    } catch (err) {
      throw gone(err, id);
    }
  };

  async function list(remote?: string, a?: unknown, b?: unknown): Promise<unknown> {
    const [options, mutator] = tail<ListOptions, Mutator<unknown, unknown>>("list", a as ListOptions, b as Mutator<unknown, unknown>);
    checkBoolean("list", "recursion", options.recursion);
    checkBoolean("list", "allProjects", options.allProjects);
    if (options.project !== undefined) checkSegment("list", "project", options.project);
    if (options.project !== undefined && options.allProjects) {
      throw new InvalidArgumentError("list: `project` and `allProjects` exclude each other");
    }
    if (options.allProjects)
      await requireExtension(
        serverInfo,
        core.resolve(remote),
        "operations_get_query_all_projects",
        "operations.list({ allProjects })",
        options.signal,
      );
    const query = {
      ...(options.recursion && { recursion: 1 }),
      ...(options.project !== undefined && { project: options.project }),
      ...(options.allProjects && { "all-projects": true }),
    };
    const sent = await core.send(remote, "GET", "/1.0/operations", { params: { query }, signal: options.signal });
    // LXD sends `{}` (or, from some versions, null) when there are no operations.
    return apply(syncMetadata<OperationMap<unknown> | null>(sent) ?? {}, mutator);
  }

  async function info(remote: string | undefined, idOrUrl: string, a?: unknown, b?: unknown): Promise<unknown> {
    const id = operationId(idOrUrl);
    const [options, mutator] = tail<CallOptions, Mutator<unknown, unknown>>("info", a as CallOptions, b as Mutator<unknown, unknown>);
    return apply(await byId<Operation>(remote, "GET", id, options.signal), mutator);
  }

  async function cancel(remote: string | undefined, idOrUrl: string, a?: unknown, b?: unknown): Promise<unknown> {
    const id = operationId(idOrUrl);
    const [options, mutator] = tail<CallOptions, Mutator<unknown, unknown>>("cancel", a as CallOptions, b as Mutator<unknown, unknown>);
    try {
      await byId<unknown>(remote, "DELETE", id, options.signal);
    } catch (err) {
      if (err instanceof LxdError && !(err instanceof OperationGoneError)) {
        throw new LxdError(err, `cannot cancel operation ${id} on "${err.remote}": ${err.lxdMessage}`);
      }
      throw err;
    }
    return apply(undefined, mutator);
  }

  async function wait(remote: string | undefined, idOrUrl: string, a?: unknown, b?: unknown): Promise<unknown> {
    const id = operationId(idOrUrl);
    const [options, mutator] = tail<WaitOptions, Mutator<unknown, unknown>>("wait", a as WaitOptions, b as Mutator<unknown, unknown>);
    const { signal } = options;
    const timeout = checkMs("wait", "timeout", options.timeout);
    core.resolve(remote);
    if (signal?.aborted) throw new AbortError(`wait ${id}`, signal.reason);
    const deadline = timeout === undefined ? Infinity : Date.now() + timeout;
    const timer = new AbortController();
    const timeoutId = Number.isFinite(deadline) ? setTimeout(() => timer.abort(), timeout) : undefined;
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let last: Operation | undefined;
    const timedOut = () => new TimeoutError(`operation ${id} not final after ${timeout} ms`, last);
    try {
      for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw timedOut();
        // Whole seconds, rounded down (at least 1) so a round ends before the client deadline
        // and the TimeoutError can carry the state LXD last reported.
        const seconds = Math.max(1, Math.min(ROUND_SECONDS, Math.floor(remaining / 1000)));
        const started = Date.now();
        let sent: Sent;
        try {
          sent = await core.send(remote, "GET", "/1.0/operations/{id}/wait", {
            params: { path: { id }, query: { timeout: seconds } },
            signal: combined,
          });
        } catch (err) {
          if (signal?.aborted) throw new AbortError(`wait ${id}`, signal.reason);
          if (timer.signal.aborted) throw timedOut();
          throw err;
        }
        const env = sent.envelope;
        if (env.type === "error") {
          const err = lxdError(sent.ctx, sent.status, env);
          if (sent.status === 404 || env.error_code === 404) throw gone(err, id);
          if (sent.status !== 200) throw err;
          // LXD ≥ 5.0.3 and Incus report a timed-out or failed wait as an error envelope inside HTTP 200.
          if (!/deadline exceeded/i.test(env.error)) return apply(await settleFailedWait(id, remote, env.error, combined), mutator);
          // That timeout envelope holds no state: read it, so that a TimeoutError carries the
          // last state as it does with 5.0.0–5.0.2 (one GET per round of up to 30 s).
          let op: Operation;
          try {
            op = await byId<Operation>(remote, "GET", id, combined);
          } catch (err) {
            if (signal?.aborted) throw new AbortError(`wait ${id}`, signal.reason);
            if (timer.signal.aborted) throw timedOut();
            throw err;
          }
          last = op;
          if (isFinal(op.status_code)) return apply(settle(id, op), mutator);
        } else {
          const op = syncMetadata<Operation>(sent);
          last = op;
          if (isFinal(op.status_code)) return apply(settle(id, op), mutator);
        }
        // Not final yet: the server-side timeout of this round ran out (5.0.0–5.0.2 form).
        const spent = Date.now() - started;
        if (spent < MIN_ROUND_MS) await sleep(MIN_ROUND_MS - spent, combined).catch(() => undefined);
        if (signal?.aborted) throw new AbortError(`wait ${id}`, signal.reason);
      }
    } finally {
      clearTimeout(timeoutId);
    }
  }

  /** The error envelope of a failed wait carries only a message: the operation, if still kept, says more. */
  async function settleFailedWait(id: string, remote: string | undefined, message: string, signal: AbortSignal): Promise<Operation> {
    let op: Operation | undefined;
    try {
      op = await byId<Operation>(remote, "GET", id, signal);
    } catch (err) {
      if (!(err instanceof OperationGoneError)) throw err;
    }
    if (op && isFinal(op.status_code)) return settle(id, op);
    throw new OperationError(id, { statusCode: StatusCode.Failure, status: "Failure", err: message, ...(op && { operation: op }) });
  }

  return {
    list: list as OperationsApi["list"],
    info: info as OperationsApi["info"],
    delete: cancel as OperationsApi["delete"],
    cancel: cancel as OperationsApi["delete"],
    wait: wait as OperationsApi["wait"],
  };
}

function settle(id: string, op: Operation): Operation {
  if (op.status_code === StatusCode.Success) return op;
  throw new OperationError(id, { statusCode: op.status_code, status: op.status, err: op.err, operation: op });
}

function gone(err: unknown, id: string): unknown {
  if (err instanceof LxdError && err.status === 404 && !(err instanceof OperationGoneError)) {
    return new OperationGoneError(
      err,
      `operation ${id} not found on "${err.remote}": it never existed, or it finished over ~5 s ago (LXD's retention) and its outcome is unknown`,
    );
  }
  return err;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}
