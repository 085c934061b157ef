// LXD's event stream: one websocket per remote and scope, shared by every consumer and closed
// when the last one leaves; reconnected with backoff when it drops (LXD never reconnects for
// you), and with late non-final updates of a finished operation dropped (LXD sends each event
// from its own goroutine, so order is not guaranteed).
import { type Deferred, defer } from "../utils/defer.js";
import { pull } from "../utils/pull.js";
import { AbortError, InvalidArgumentError, LxdFetchError } from "../utils/errors.js";
import { isFinal, type EventType, type LxdEvent } from "../types/lxd.js";
import { checkBoolean, checkFunction, checkInt, checkOptions, checkSegment, checkSignal } from "../utils/validate.js";
import { openSocket, safeClose, wsUrl, type WebSocketFactory } from "../streams/websocket.js";

export interface EventScope {
  /** Default: all three. */
  types?: EventType[];
  project?: string;
  /** Every project (not together with `project`). */
  allProjects?: boolean;
}

export interface EventsOptions extends EventScope {
  signal?: AbortSignal;
  /** Events held for a slow consumer before the iterator fails instead of dropping any. */
  maxQueued?: number;
  /** Called when the socket came back after a drop: events of the gap were missed. */
  onReconnect?: () => void;
  /** Called when the socket dropped and is being reopened (a UI can show it). */
  onDisconnect?: () => void;
}

/** An async iterable of events; `ready` resolves once the subscription is live. */
export interface EventSubscription extends AsyncIterable<LxdEvent> {
  readonly ready: Promise<void>;
  /** Ends the iteration and leaves the shared socket. */
  close(): void;
}

export interface Listener {
  event(e: LxdEvent): void;
  /** The socket dropped; it is being reopened (events may be missed until `reconnected`). */
  disconnected?(): void;
  /** The socket dropped and came back: events may have been missed meanwhile. */
  reconnected?(): void;
  /** The socket could not be (re)opened and nobody will retry; the subscription is over. */
  failed?(err: Error): void;
}

const TYPES: EventType[] = ["operation", "logging", "lifecycle"];
// Reconnecting: every ~100 ms while a restarting daemon is likely to come back (so the stream is
// live again within about that of the daemon answering), then backing off to every 2 s. Jitter
// keeps many clients from retrying in step.
const TIGHT_RETRY_MS = 100;
const TIGHT_PHASE_MS = 15_000;
const MAX_RETRY_MS = 2000;
// Under LXD's ~5 s retention, so a waiter that falls back to /wait still finds the operation.
const CONNECT_TIMEOUT_MS = 4000;
// LXD completes the websocket upgrade first and only then (after a database transaction) adds
// the listener (lxd/events.go in 5.0.2): events of that moment are lost although the socket is
// open, and under load the gap lasts seconds (docs/protocol.md). Only an event received proves
// the listener exists (`heard`); a watch lists once more this long after the socket opened.
export const LISTENING_AFTER_MS = 1000;
const FINAL_MEMORY = 4096;

/** The socket for one remote and scope. */
class SharedStream {
  readonly #listeners = new Set<Listener>();
  #ws: WebSocket | undefined;
  #opened = false;
  /** When the current socket opened (undefined while there is none). */
  openedAt: number | undefined;
  /** An event came on the current socket: LXD has added its listener. */
  heard = false;
  #droppedAt: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #finals = new Set<string>();
  ready: Promise<void>;
  #settleReady!: Deferred<void>;

  #lingering: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  readonly #url: string;
  readonly #remote: string;
  readonly #factory: WebSocketFactory;
  readonly #lingerMs: number;
  readonly #onEmpty: () => void;

  constructor(url: string, remote: string, factory: WebSocketFactory, lingerMs: number, onEmpty: () => void) {
    this.#url = url;
    this.#remote = remote;
    this.#factory = factory;
    this.#lingerMs = lingerMs;
    this.#onEmpty = onEmpty;
    this.ready = this.#newReady();
    this.#connect();
  }

  #newReady(): Promise<void> {
    this.#settleReady = defer();
    this.#settleReady.promise.catch(() => undefined); // observed by whoever awaits it
    return this.#settleReady.promise;
  }

  add(l: Listener): void {
    clearTimeout(this.#lingering);
    this.#listeners.add(l);
  }

  remove(l: Listener): void {
    if (!this.#listeners.delete(l) || this.#listeners.size > 0) return;
    // An open socket lingers a moment: sequential execs then reuse it instead of paying a
    // handshake each (over mTLS, about a third of an exec's latency).
    if (this.#ws && this.#lingerMs > 0) this.#lingering = setTimeout(() => this.#end(), this.#lingerMs);
    else this.#end();
  }

  get idle(): boolean {
    return this.#ended;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#lingering);
    if (this.#ws) safeClose(this.#ws);
    this.#ws = undefined;
    this.#onEmpty();
  }

  /** Ends the stream for everyone: listeners are told it failed. */
  shutdown(): void {
    const err = new LxdFetchError("events: the client was closed");
    const all = [...this.#listeners];
    this.#listeners.clear();
    this.#end();
    this.#settleReady.reject(err);
    for (const l of all) l.failed?.(err);
  }

  #connect(): void {
    openSocket(this.#factory, this.#url, { label: "events", remote: this.#remote, timeoutMs: CONNECT_TIMEOUT_MS }).then(
      (ws) => {
        if (this.#ended || this.#listeners.size === 0) {
          safeClose(ws);
          return this.#end();
        }
        const reconnect = this.#opened;
        this.#ws = ws;
        this.#opened = true;
        this.openedAt = Date.now();
        this.heard = false;
        this.#droppedAt = undefined;
        ws.addEventListener("message", (m) => this.#dispatch(m.data));
        ws.addEventListener("close", () => this.#dropped(ws));
        this.#settleReady.resolve();
        if (reconnect) for (const l of [...this.#listeners]) l.reconnected?.();
      },
      (err: Error) => {
        if (this.#ended || this.#listeners.size === 0) return this.#end();
        if (!this.#opened) {
          // Never connected: tell the subscribers (waiters fall back to /wait) rather than spin.
          this.#settleReady.reject(err);
          for (const l of [...this.#listeners]) l.failed?.(err);
          return;
        }
        this.#retry();
      },
    );
  }

  #dropped(ws: WebSocket): void {
    if (this.#ws !== ws) return;
    this.#ws = undefined;
    this.openedAt = undefined;
    this.heard = false;
    if (this.#listeners.size === 0) return this.#end(); // it was lingering
    this.ready = this.#newReady();
    this.#retry();
    for (const l of [...this.#listeners]) l.disconnected?.();
  }

  #retry(): void {
    if (this.#ended) return;
    this.#droppedAt ??= Date.now();
    this.#timer = setTimeout(() => this.#connect(), retryDelay(Date.now() - this.#droppedAt));
  }

  #dispatch(data: unknown): void {
    if (typeof data !== "string") return; // LXD sends JSON text frames only
    this.heard = true;
    let e: LxdEvent;
    try {
      e = JSON.parse(data) as LxdEvent;
    } catch {
      return;
    }
    if (e.type === "operation" && e.metadata && typeof e.metadata.id === "string") {
      const { id, status_code } = e.metadata;
      if (this.#finals.has(id) && !isFinal(status_code)) return;
      if (isFinal(status_code)) this.#remember(id);
    }
    for (const l of [...this.#listeners]) l.event(e);
  }

  #remember(id: string): void {
    this.#finals.add(id);
    if (this.#finals.size > FINAL_MEMORY) this.#finals.delete(this.#finals.values().next().value!);
  }
}

/** Milliseconds before the next reconnect attempt, `down` ms after the drop. */
export function retryDelay(down: number): number {
  // After the tight phase the delay grows with the time down: 2 s is reached 8 s later.
  const base = down < TIGHT_PHASE_MS ? TIGHT_RETRY_MS : Math.min(MAX_RETRY_MS, TIGHT_RETRY_MS + (down - TIGHT_PHASE_MS) / 4);
  return Math.min(MAX_RETRY_MS, base * (0.75 + Math.random() / 2));
}

/** A subscriber's hold on a shared stream. */
export interface Joined {
  /** Resolves once the socket is open (not yet proof that LXD listens: see `listening`). */
  readonly ready: Promise<void>;
  leave(): void;
  /** An event came on the open socket, so LXD listens: what changes from now on has its event. */
  listening(): boolean;
}

/** All shared event streams of one client. */
export class EventHub {
  readonly #streams = new Map<string, SharedStream>();

  readonly #baseUrl: (remote: string) => string;
  readonly #factory: (remote: string) => WebSocketFactory;
  readonly #lingerMs: number;

  /** `lingerMs`: how long an unused open stream is kept for the next subscriber. */
  constructor(baseUrl: (remote: string) => string, factory: (remote: string) => WebSocketFactory, lingerMs = 1000) {
    this.#baseUrl = baseUrl;
    this.#factory = factory;
    this.#lingerMs = lingerMs;
  }

  /** Joins (or opens) the stream of `scope` on `remote`. Call `leave` when done. */
  join(remote: string, scope: EventScope, listener: Listener): Joined {
    const query = scopeQuery(scope);
    const key = `${remote} ${query}`;
    let stream = this.#streams.get(key);
    if (!stream || stream.idle) {
      const created: SharedStream = new SharedStream(
        wsUrl(this.#baseUrl(remote), `/1.0/events${query}`),
        remote,
        this.#factory(remote),
        this.#lingerMs,
        () => {
          if (this.#streams.get(key) === created) this.#streams.delete(key);
        },
      );
      stream = created;
      this.#streams.set(key, stream);
    }
    stream.add(listener);
    const s = stream;
    return {
      ready: s.ready,
      leave: () => s.remove(listener),
      listening: () => s.openedAt !== undefined && s.heard,
    };
  }

  /** Closes every stream (the client is closing). */
  closeAll(): void {
    for (const s of [...this.#streams.values()]) s.shutdown();
    this.#streams.clear();
  }

  /** Open sockets, for tests and diagnostics. */
  get openStreams(): number {
    return this.#streams.size;
  }
}

export function scopeQuery(scope: EventScope): string {
  if (scope.types !== undefined && !Array.isArray(scope.types)) throw new InvalidArgumentError("events: types must be an array");
  if (scope.project !== undefined) checkSegment("events", "project", scope.project);
  checkBoolean("events", "allProjects", scope.allProjects);
  if (scope.project !== undefined && scope.allProjects) {
    throw new InvalidArgumentError("events: `project` and `allProjects` exclude each other");
  }
  const types = [...new Set(scope.types ?? TYPES)].sort();
  for (const t of types) if (!TYPES.includes(t)) throw new InvalidArgumentError(`events: unknown type ${JSON.stringify(t)}`);
  let q = `?type=${types.join(",")}`;
  if (scope.project !== undefined) q += `&project=${encodeURIComponent(scope.project)}`;
  if (scope.allProjects) q += "&all-projects=true";
  return q;
}

/** The public `events()` iterator over a shared stream. */
export function subscribe(hub: EventHub, remote: string, opts?: EventsOptions): EventSubscription {
  const options = checkOptions("events", opts);
  const max = checkInt("events", "maxQueued", options.maxQueued, 1, Number.MAX_SAFE_INTEGER) ?? 10_000;
  checkFunction("events", "onReconnect", options.onReconnect);
  checkSignal("events", options.signal);
  const queue: LxdEvent[] = [];
  let failure: Error | undefined;
  let closed = false;
  const signal = options.signal;
  // Queued events are still given after the end; then the end, with its error.
  const events = pull(
    () => (queue.length > 0 ? { value: queue.shift()! } : undefined),
    () => closed && { error: failure },
    () => stop(),
  );

  const listener: Listener = {
    event(e) {
      if (closed) return;
      if (queue.length >= max) {
        failure = new LxdFetchError(`events: the consumer fell ${max} events behind; stopped rather than drop any`);
        stop();
        return;
      }
      queue.push(e);
      events.wake();
    },
    failed(err) {
      failure = err;
      stop();
    },
    reconnected() {
      options.onReconnect?.();
    },
    disconnected() {
      options.onDisconnect?.();
    },
  };
  const { ready, leave } = hub.join(remote, options, listener);
  const onAbort = () => {
    failure = new AbortError("events", signal?.reason);
    stop();
  };
  function stop() {
    if (closed) return;
    closed = true;
    leave();
    signal?.removeEventListener("abort", onAbort);
    events.wake();
  }
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });

  return { ready, close: stop, [Symbol.asyncIterator]: events.iterate };
}
