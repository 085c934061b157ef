// One object per LXD operation (the model is LXD's Go client, client/operations.go): the latest
// state, refresh, cancel, wait and update handlers. Waiting rides the shared events socket,
// joined before the request that creates the operation; when LXD was not surely listening yet
// (it adds a socket's listener only after the upgrade, events.ts) a GET closes the race, and
// another once the socket surely listens; when events are unavailable it falls back to /wait.
import type { Where } from "../request/pipeline.js";
import { AbortError, OperationError, OperationGoneError, TimeoutError } from "../utils/errors.js";
import { type AnyInit, type AsyncPaths, type Core, type Method, type SendInit, untypedSend } from "../request/core.js";
import { unexpectedAnswer, unwrap } from "../request/envelope.js";
import type { EventHub, Joined } from "./events.js";
import type { CallOptions, WaitOptions } from "./operations.js";
import { isFinal, type LxdEvent, type Operation } from "../types/lxd.js";
import { settle } from "../utils/settle.js";
import { checkFunction, checkMs, checkOptions, checkSegment, checkSignal } from "../utils/validate.js";

/** How long a new operation keeps its events subscription with nobody waiting: LXD's retention. */
const CREATION_HOLD_MS = 5000;
// Until an event proves LXD listens on a new events socket, the state is asked for at these
// intervals (the last repeats): each well under the 5 s for which LXD keeps a finished operation.
const LISTENING_POLL_MS = [500, 1000, 2000];

/**
 * What a handle needs of the operations API: the plain calls, not the public overloads with
 * their mutators.
 */
export interface OperationCalls {
  info(remote: string, id: string, options?: CallOptions): Promise<Operation>;
  wait(remote: string, id: string, options?: CallOptions): Promise<Operation>;
  delete(remote: string, id: string, options?: CallOptions): Promise<void>;
}

export interface OperationContext {
  hub: EventHub;
  operations: OperationCalls;
  remote: string;
  project?: string | undefined;
}

type Waiter = { resolve(op: Operation): void; reject(err: unknown): void; fallback(): void };

/**
 * Reads an operation's free-form metadata as `M`, checking the fields it types: the one place an
 * operation's metadata gets a type (exec's fds and exit code, an image import's fingerprint).
 */
export type MetadataReader<M> = (metadata: Record<string, unknown>) => M;

const asRecord: MetadataReader<Record<string, unknown>> = (metadata) => metadata;

export class LxdOperation<M = Record<string, unknown>> {
  readonly id: string;
  readonly remote: string;
  #op: Operation;
  #ctx: OperationContext;
  readonly #read: MetadataReader<M>;
  #holds = 0;
  #leave: (() => void) | undefined;
  #ready: Promise<void> | undefined;
  #eventsFailed = false;
  /** The events socket dropped and is not back yet: events of the gap may be missed. */
  #eventsDown = false;
  #creationHold = false;
  /** The subscription was live before the operation existed: no GET is needed to close a race. */
  #raceFree = false;
  /** Whether LXD surely listens on the events socket this handle is subscribed to. */
  #listening: Joined["listening"] = () => false;
  #gone: OperationGoneError | undefined;
  readonly #handlers = new Set<(op: Operation<M>) => void>();
  readonly #waiters = new Set<Waiter>();

  /**
   * @internal Use the client's calls that return operations, or `operations.track()`.
   * `created` is given when the events stream was joined before the creating request: the
   * events buffered meanwhile, and whether the stream was live before the request was sent.
   */
  constructor(ctx: OperationContext, op: Operation, read: MetadataReader<M>, created?: { early: readonly LxdEvent[]; live: boolean }) {
    this.id = op.id;
    this.#read = read;
    this.remote = ctx.remote;
    this.#op = op;
    this.#ctx = ctx;
    if (created) {
      // Hold the subscription through LXD's retention window, so that a wait() called late
      // still sees an end that came meanwhile.
      this.#hold();
      this.#creationHold = true;
      this.#raceFree = created.live;
      const t = setTimeout(() => this.release(), CREATION_HOLD_MS);
      (t as { unref?: () => void }).unref?.();
      for (const e of created.early) this.#listener.event(e);
    }
  }

  /**
   * Drops the subscription a new operation holds for LXD's retention window (5 s), so an idle
   * client can close its events socket at once. wait() and onUpdate() take it again.
   */
  release(): void {
    if (!this.#creationHold) return;
    this.#creationHold = false;
    this.#release();
  }

  /** The latest state seen (from the creating call, events, refresh or wait). */
  get current(): Operation<M> {
    return this.#typed(this.#op);
  }

  #typed(op: Operation): Operation<M> {
    return { ...op, metadata: op.metadata && this.#read(op.metadata) };
  }

  get done(): boolean {
    return isFinal(this.#op.status_code);
  }

  /** GETs the operation. 404 (LXD forgot it) rejects with OperationGoneError. */
  async refresh(options: { signal?: AbortSignal } = {}): Promise<Operation<M>> {
    const op = await this.#ctx.operations.info(this.remote, this.id, options);
    this.#update(op);
    return this.#typed(this.#op);
  }

  /** Cancels it (`DELETE`); LXD refuses operations that are not `may_cancel`. */
  cancel(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#ctx.operations.delete(this.remote, this.id, options);
  }

  /** Calls `handler` with every new state (progress lives in `metadata`). Returns the unsubscribe. */
  onUpdate(handler: (op: Operation<M>) => void): () => void {
    if (typeof handler !== "function") checkFunction("onUpdate", "handler", handler ?? null);
    this.#handlers.add(handler);
    this.#hold();
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      this.#handlers.delete(handler);
      this.#release();
    };
  }

  /**
   * The final Operation on Success; rejects with OperationError (Failure, Cancelled),
   * TimeoutError, AbortError, or OperationGoneError when LXD forgot it before we saw the end.
   * The deadline and the signal hold in every state of the events socket: while it is not live
   * (connecting, or reconnecting after a drop), /wait takes over.
   */
  async wait(options?: WaitOptions): Promise<Operation<M>> {
    const o = checkOptions("wait", options);
    const timeout = checkMs("wait", "timeout", o.timeout);
    const signal = checkSignal("wait", o.signal);
    if (signal?.aborted) throw new AbortError(`wait ${this.id}`, signal.reason);
    if (this.done) return this.#typed(settle(this.#op));
    if (this.#gone) throw this.#gone;

    this.#hold();
    try {
      return this.#typed(
        await new Promise<Operation>((resolve, reject) => {
          const fallbackAbort = new AbortController();
          let fallingBack = false;
          const waiter: Waiter = {
            resolve: (op) => (stop(), resolve(op)),
            reject: (err) => (stop(), reject(err)),
            // Events are not live: /wait runs beside them until one of the two settles this.
            fallback: () => {
              if (fallingBack) return;
              fallingBack = true;
              this.#ctx.operations.wait(this.remote, this.id, { signal: fallbackAbort.signal }).then(
                (op) => (this.#update(op), waiter.resolve(op)),
                (err: unknown) => {
                  if (err instanceof OperationError && err.operation) this.#update(err.operation);
                  if (!fallbackAbort.signal.aborted) waiter.reject(err);
                },
              );
            },
          };
          const stop = () => {
            this.#waiters.delete(waiter);
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            fallbackAbort.abort();
          };
          const onAbort = () => waiter.reject(new AbortError(`wait ${this.id}`, signal?.reason));
          const timer =
            timeout === undefined
              ? undefined
              : setTimeout(() => waiter.reject(new TimeoutError(`operation ${this.id} not final after ${timeout} ms`, this.#op)), timeout);
          signal?.addEventListener("abort", onAbort, { once: true });
          this.#waiters.add(waiter);
          // Not live (failed, or dropped and reconnecting): /wait covers it until the events are back.
          if (this.#eventsFailed || this.#eventsDown || !this.#ready) return waiter.fallback();
          this.#ready.then(
            // The end may have come before LXD listened (it adds the listener after the socket
            // opened, events.ts): one GET now, and more until an event proves it listens, since
            // an end between a GET and the listener has no event.
            () => {
              if (this.#raceFree) return;
              this.#check();
              this.#untilListening(waiter, 0);
            },
            () => waiter.fallback(),
          );
        }),
      );
    } finally {
      this.#release();
      this.release();
    }
  }

  /**
   * @internal Asks LXD for the state now (one GET), for a caller that has reason to think the
   * end came and its event was missed: a final state settles the waiters, a forgotten operation
   * rejects them, a failed GET hands them to /wait.
   */
  verify(): void {
    if (!this.done) this.#check();
  }

  /**
   * GETs the state at short intervals (under LXD's 5 s retention) until a GET went out after an
   * event proved the socket listens; from then on the events tell every change.
   */
  #untilListening(waiter: Waiter, attempt: number): void {
    const t = setTimeout(
      () => {
        if (this.done || this.#raceFree || !this.#waiters.has(waiter)) return;
        const listening = this.#listening();
        this.#check();
        if (listening) this.#raceFree = true;
        else this.#untilListening(waiter, attempt + 1);
      },
      LISTENING_POLL_MS[Math.min(attempt, LISTENING_POLL_MS.length - 1)],
    );
    (t as { unref?: () => void }).unref?.();
  }

  #hold(): void {
    this.#holds++;
    if (!this.#leave && !this.done) {
      this.#adopt(
        this.#ctx.hub.join(
          this.remote,
          { types: ["operation"], ...(this.#ctx.project !== undefined && { project: this.#ctx.project }) },
          this.#listener,
        ),
      );
    }
  }

  #adopt(sub: Joined): void {
    this.#leave = sub.leave;
    this.#listening = sub.listening;
    this.#ready = sub.ready;
    this.#eventsFailed = false;
    this.#eventsDown = false;
  }

  #release(): void {
    if (--this.#holds > 0 || !this.#leave) return;
    this.#leave();
    this.#leave = undefined;
    this.#raceFree = false;
  }

  readonly #listener = {
    event: (e: LxdEvent) => {
      if (e.type === "operation" && e.metadata?.id === this.id) this.#update(e.metadata);
    },
    // The socket dropped: events may be missed until it is back, so /wait covers the gap.
    disconnected: () => {
      this.#raceFree = false;
      this.#eventsDown = true;
      for (const w of [...this.#waiters]) w.fallback();
    },
    reconnected: () => {
      this.#raceFree = false;
      this.#eventsDown = false;
      this.#check();
    },
    failed: () => {
      // Events unavailable: hand the waiters over to /wait.
      this.#eventsFailed = true;
      this.#raceFree = false;
      const leave = this.#leave;
      this.#leave = undefined;
      leave?.();
      for (const w of [...this.#waiters]) w.fallback();
    },
  };

  /** GETs the state: after subscribing, and after a reconnect that may have missed the end. */
  #check(): void {
    this.#ctx.operations.info(this.remote, this.id).then(
      (op) => this.#update(op),
      (err: unknown) => {
        if (this.done) return;
        if (err instanceof OperationGoneError) {
          this.#gone = err;
          for (const w of [...this.#waiters]) w.reject(err);
        } else {
          // The GET failed (network, 5xx): don't count on events alone to see the end.
          for (const w of [...this.#waiters]) w.fallback();
        }
      },
    );
  }

  #update(op: Operation): void {
    if (this.done) return; // final is final: late or replayed states change nothing
    this.#op = op;
    if (isFinal(op.status_code)) {
      for (const w of [...this.#waiters]) {
        try {
          w.resolve(settle(op));
        } catch (err) {
          w.reject(err);
        }
      }
    }
    // A handler's own failure must not stop the others, nor this state being recorded.
    for (const h of [...this.#handlers]) {
      try {
        h(this.#typed(op));
      } catch (err) {
        report(err);
      }
    }
  }
}

/** A handler's error: to the runtime's error reporting where there is one, else the console. */
function report(err: unknown): void {
  const g = globalThis as { reportError?: (e: unknown) => void };
  if (typeof g.reportError === "function") g.reportError(err);
  else console.error("lxd-fetch: an onUpdate handler threw:", err);
}

export interface StartDeps {
  core: Core;
  hub: EventHub;
  operations: OperationCalls;
}

/**
 * Sends a request that starts an operation and returns its handle. The operation events are
 * joined before the request (what arrives before the handle exists is buffered for it), the way
 * LXD's Go client does it, so the end cannot be missed.
 */
export function startOperation<T = Record<string, unknown>, M extends Method = Method, P extends AsyncPaths<M> = AsyncPaths<M>>(
  deps: StartDeps,
  where: Where,
  method: M,
  path: P,
  init: SendInit<M, P> & { project?: string | undefined },
  read: MetadataReader<T>,
): Promise<LxdOperation<T>>;
export function startOperation<M extends Method = Method, P extends AsyncPaths<M> = AsyncPaths<M>>(
  deps: StartDeps,
  where: Where,
  method: M,
  path: P,
  init: SendInit<M, P> & { project?: string | undefined },
): Promise<LxdOperation>;
// The init was checked against its path by the signature above, at each call site; generic over
// the path, it is more than TypeScript can represent here, so the body reads it as any init.
export async function startOperation<T>(
  deps: StartDeps,
  where: Where,
  method: Method,
  path: string,
  init: { params?: object; body?: unknown; signal?: AbortSignal | undefined; project?: string | undefined },
  read?: MetadataReader<T>,
): Promise<LxdOperation<T> | LxdOperation> {
  const scope = deps.core.scope(where);
  const name = scope.remote;
  // The operation's events come on its project's stream: the call's project, else the scope's.
  const project = init.project ?? scope.project;
  // Checked before the events socket is joined: nothing goes out for bad input.
  if (project !== undefined) checkSegment(`${method} ${path}`, "project", project);
  checkSignal(`${method} ${path}`, init.signal);
  const early: LxdEvent[] = [];
  const sub = deps.hub.join(
    name,
    { types: ["operation"], ...(project !== undefined && { project }) },
    { event: (e) => void early.push(e) },
  );
  try {
    // Not waiting for the events socket to open keeps its handshake off the request's path; if
    // LXD was not surely listening before the request went out, wait() runs /wait beside the events.
    const liveBeforeRequest = sub.listening();
    const { project: _, ...request } = init;
    const params: AnyInit["params"] = request.params;
    const query = { ...params?.query, ...(project !== undefined && { project }) };
    const sent = await untypedSend(deps.core)(where, method, path, { ...request, params: { ...params, query } });
    const out = unwrap<unknown>(sent.ctx, sent.status, sent.envelope);
    if (out.type !== "async") throw unexpectedAnswer(sent, "sync answer where an operation was expected");
    const ctx = { hub: deps.hub, operations: deps.operations, remote: name, project };
    const created = { early, live: liveBeforeRequest };
    return read ? new LxdOperation(ctx, out.operation, read, created) : new LxdOperation(ctx, out.operation, asRecord, created);
  } finally {
    sub.leave(); // the handle holds its own subscription now
  }
}
