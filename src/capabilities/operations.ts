// The operations API: list, info, cancel and wait, each with an optional result mutator as its
// last argument (the shape of the original PHP helpers).
import type { CallOptions } from "./options.js";
import type { Core, Sent } from "../request/core.js";
import { requireExtension, type InfoCache } from "./server.js";
import { lxdError, syncMetadata } from "../request/envelope.js";
import { AbortError, InvalidArgumentError, LxdError, OperationError, OperationGoneError, TimeoutError } from "../utils/errors.js";
import { isFinal, type Operation, type OperationMap } from "../types/lxd.js";
import { type Args, type Call, type Flat, type Lead, type Mutator, withMutator } from "./mutator.js";
import type { Where } from "../request/pipeline.js";
import { settle } from "../utils/settle.js";
import { checkBoolean, checkMs, checkSegment } from "../utils/validate.js";

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

export type { CallOptions } from "./options.js";

export interface WaitOptions {
  /** Milliseconds before rejecting with TimeoutError. Default: no limit. */
  timeout?: number;
  signal?: AbortSignal;
}

/** What `list` gives for its options: URLs, Operations, or either when `recursion` is a plain boolean. */
export type ListResult<O extends ListOptions | undefined> = O extends { recursion: true }
  ? OperationMap<Operation>
  : O extends { recursion?: false | undefined } | undefined
    ? OperationMap<string>
    : OperationMap<string> | OperationMap<Operation>;

type Remote = [remote?: Where];
type ById = [remote: Where, id: string];

export interface OperationsApi<L extends Lead = Flat> {
  list<const O extends ListOptions | undefined = undefined>(...a: Args<L, [options?: O]>): Promise<ListResult<O>>;
  list<R>(...a: Args<L, [mutator: Mutator<OperationMap<string>, R>]>): Promise<Awaited<R>>;
  list<const O extends ListOptions, R>(...a: Args<L, [options: O, mutator: Mutator<ListResult<O>, R>]>): Promise<Awaited<R>>;

  info: Call<[id: string], CallOptions, Operation, L>;

  /** Cancels the operation (`DELETE`). LXD refuses operations that are not `may_cancel`. */
  delete: Call<[id: string], CallOptions, void, L>;
  /** Same as `delete`. */
  cancel: Call<[id: string], CallOptions, void, L>;

  /**
   * Resolves with the final Operation when it succeeded. Rejects with OperationError (Failure,
   * Cancelled), TimeoutError, AbortError, or OperationGoneError when LXD no longer knows the
   * id (it keeps finished operations about 5 s: the outcome is then unknown).
   */
  wait: Call<[id: string], WaitOptions, Operation, L>;
}

/**
 * 8-4-4-4-12 hex digits, either case. A loop, not a regex: `info` is the hot path, and a regex
 * there measured slower amid real requests (bench/operations.mjs).
 */
function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false; // "-"
    } else if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) return false; // 0-9, a-f, A-F
  }
  return true;
}
const OPERATION_URL = /^\/1\.0\/operations\/([^/?#]+)(?:\?[^#]*)?$/;

/** Accepts an operation id or the URL LXD lists it under; anything else is refused unsent. */
export function operationId(idOrUrl: unknown): string {
  if (typeof idOrUrl === "string") {
    const id = idOrUrl.startsWith("/") ? (OPERATION_URL.exec(idOrUrl)?.[1] ?? idOrUrl) : idOrUrl;
    if (isUuid(id)) return id.toLowerCase();
  }
  const shown = typeof idOrUrl === "string" ? JSON.stringify(idOrUrl.slice(0, 80)) : typeof idOrUrl;
  throw new InvalidArgumentError(`invalid operation id ${shown}: expected a UUID or /1.0/operations/<uuid>`);
}

const ROUND_SECONDS = 30; // one /wait request at most; below undici's 300 s headers timeout
const MIN_ROUND_MS = 250; // a server that answers early with a non-final state is not spun on

export function createOperations(core: Core, serverInfo: InfoCache): OperationsApi {
  /** Per-id calls: a 404 means LXD does not (or no longer) know the operation. */
  // One `then`, not an async wrapper: `info` is the hot path (bench/operations.mjs).
  const known = <T>(id: string, sending: Promise<Sent<T>>): Promise<T> =>
    sending.then(
      (sent) => {
        try {
          return syncMetadata(sent);
        } catch (err) {
          throw gone(err, id);
        }
      },
      (err) => {
        throw gone(err, id);
      },
    );
  const get = (remote: Where, id: string, signal?: AbortSignal) =>
    known(id, core.send(remote, "GET", "/1.0/operations/{id}", { params: { path: { id } }, signal }));

  function info([remote, idOrUrl]: ById, options: CallOptions): Promise<Operation> {
    return get(remote, operationId(idOrUrl), options.signal);
  }

  async function cancel([remote, idOrUrl]: ById, options: CallOptions): Promise<void> {
    const id = operationId(idOrUrl);
    try {
      await known(id, core.send(remote, "DELETE", "/1.0/operations/{id}", { params: { path: { id } }, signal: options.signal }));
    } catch (err) {
      if (err instanceof LxdError && !(err instanceof OperationGoneError)) {
        throw new LxdError(err, `cannot cancel operation ${id} on "${err.remote}": ${err.lxdMessage}`);
      }
      throw err;
    }
  }

  async function wait([remote, idOrUrl]: ById, options: WaitOptions): Promise<Operation> {
    const id = operationId(idOrUrl);
    const { signal } = options;
    const timeout = checkMs("operations.wait", "timeout", options.timeout);
    core.resolve(remote);
    const aborted = () => new AbortError(`wait ${id}`, signal?.reason);
    if (signal?.aborted) throw aborted();
    const deadline = Date.now() + (timeout ?? Infinity);
    const timer = new AbortController();
    const timeoutId = timeout === undefined ? undefined : setTimeout(() => timer.abort(), timeout);
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let last: Operation | undefined;
    const timedOut = () => new TimeoutError(`operation ${id} not final after ${timeout} ms`, last);
    // A request that failed because the wait was stopped says why: the caller's signal, or the deadline.
    const stopped = (err: unknown): never => {
      throw signal?.aborted ? aborted() : timer.signal.aborted ? timedOut() : err;
    };
    try {
      for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw timedOut();
        // Whole seconds, rounded down (at least 1) so a round ends before the client deadline
        // and the TimeoutError can carry the state LXD last reported.
        const seconds = Math.max(1, Math.min(ROUND_SECONDS, Math.floor(remaining / 1000)));
        const started = Date.now();
        const sent = await core
          .send(remote, "GET", "/1.0/operations/{id}/wait", { params: { path: { id }, query: { timeout: seconds } }, signal: combined })
          .catch(stopped);
        const env = sent.envelope;
        let op: Operation;
        if (env.type === "error") {
          const err = lxdError(sent.ctx, sent.status, env);
          if (sent.status === 404 || env.error_code === 404) throw gone(err, id);
          if (sent.status !== 200) throw err;
          // LXD ≥ 5.0.3 and Incus report a timed-out or failed wait as an error envelope inside HTTP 200.
          if (!/deadline exceeded/i.test(env.error)) return await settleFailedWait(id, remote, env.error, combined);
          // That timeout envelope holds no state: read it, so that a TimeoutError carries the
          // last state as it does with 5.0.0–5.0.2 (one GET per round of up to 30 s).
          op = await get(remote, id, combined).catch(stopped);
        } else op = syncMetadata(sent);
        last = op;
        if (isFinal(op.status_code)) return settle(op, id);
        // Not final yet: the server-side timeout of this round ran out (5.0.0–5.0.2 form).
        const spent = Date.now() - started;
        if (spent < MIN_ROUND_MS) await sleep(MIN_ROUND_MS - spent, combined).catch(() => undefined);
        if (signal?.aborted) throw aborted();
      }
    } finally {
      clearTimeout(timeoutId);
    }
  }

  /** The error envelope of a failed wait carries only a message: the operation, if still kept, says more. */
  async function settleFailedWait(id: string, remote: Where, message: string, signal: AbortSignal): Promise<Operation> {
    let op: Operation | undefined;
    try {
      op = await get(remote, id, signal);
    } catch (err) {
      if (!(err instanceof OperationGoneError)) throw err;
    }
    if (op && isFinal(op.status_code)) return settle(op, id);
    throw new OperationError(id, {
      statusCode: 400 /* StatusCode.Failure */,
      status: "Failure",
      err: message,
      ...(op && { operation: op }),
    });
  }

  const remove = withMutator("operations.cancel", 2, cancel);
  return {
    list: listOperations(core, serverInfo),
    info: withMutator("operations.info", 2, info),
    delete: remove,
    cancel: remove,
    wait: withMutator("operations.wait", 2, wait),
  };
}

/** `operations.list` alone: names (URLs) or, with `recursion: true`, the operations, per status. */
export function listOperations(core: Core, serverInfo: InfoCache): OperationsApi["list"] {
  // The options decide the form (ListResult); the one function gives either.
  return withMutator("operations.list", 1, (args: Remote, options: ListOptions) =>
    list(core, serverInfo, args, options),
  ) as OperationsApi["list"];
}

async function list(
  core: Core,
  serverInfo: InfoCache,
  [remote]: Remote,
  options: ListOptions,
): Promise<OperationMap<string> | OperationMap<Operation>> {
  checkBoolean("operations.list", "recursion", options.recursion);
  checkBoolean("operations.list", "allProjects", options.allProjects);
  if (options.project !== undefined) checkSegment("operations.list", "project", options.project);
  if (options.project !== undefined && options.allProjects) {
    throw new InvalidArgumentError("operations.list: `project` and `allProjects` exclude each other");
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
    ...(options.recursion && { recursion: 1 as const }),
    ...(options.project !== undefined && { project: options.project }),
    ...(options.allProjects && { "all-projects": true }),
  };
  const sent = await core.send(remote, "GET", "/1.0/operations", { params: { query }, signal: options.signal });
  // LXD sends `{}` (or, from some versions, null) when there are no operations.
  return syncMetadata(sent) ?? {};
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
