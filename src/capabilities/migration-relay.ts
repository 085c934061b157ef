// Relay mode of a migration: the client connects to the migration websockets of both servers
// (the source's operation and the target's, each with its secrets) and carries every frame from
// one to the other in both directions, text as text and binary as binary, the way LXD's Go client
// does (`proxyMigration`: control first, then the data sockets, fs and criu). Memory stays flat:
// when the receiving socket has more than HIGH_WATER bytes queued, the sending one stops reading
// (where the runtime's socket can pause) until it drains below LOW_WATER. Facts: docs/migration.md.
import { ConnectionError } from "../utils/errors.js";
import { openSocket, pausable, safeClose, toBytes, type WebSocketFactory, wsUrl } from "../streams/websocket.js";

const HIGH_WATER = 4_194_304; // 4 MiB; literals, so a bundle without migrations drops them
const LOW_WATER = 1_048_576; // 1 MiB
const DRAIN_POLL_MS = 2;
// LXD pings each migration socket and fails it when a ping cannot be written within 5 s, which
// a sender held back for long can hit: a paused side reads again after this long.
const BREATHE_MS = 2000;
const CONNECT_TIMEOUT_MS = 10_000;

/** One end of the relay: an operation's websockets on one server. */
export interface RelayEnd {
  factory: WebSocketFactory;
  base: string;
  remote: string;
  /** The operation's id. */
  id: string;
  /** Its websocket secrets by name (`control`, `fs`, `criu`). */
  secrets: Readonly<Record<string, string>>;
}

export interface Relay {
  /** Resolves when every pair is closed. */
  done: Promise<void>;
  /** Bytes carried so far, source to target. */
  readonly bytes: number;
  /** Closes every socket at once (an abort). */
  close(): void;
}

const pathOf = (id: string, secret: string) => `/1.0/operations/${encodeURIComponent(id)}/websocket?secret=${encodeURIComponent(secret)}`;

/** A socket and what it said before the relay listened: LXD may send as soon as it accepts. */
interface Early {
  ws: WebSocket;
  frames: MessageEvent[];
  closed: boolean;
  /** Stops holding frames: the relay's own listeners take over. */
  stop(): void;
}

async function connect(end: RelayEnd, name: string, signal: AbortSignal | undefined): Promise<Early> {
  const secret = end.secrets[name];
  if (secret === undefined) throw new Error(`no "${name}" secret`);
  const early: Early = { ws: undefined as unknown as WebSocket, frames: [], closed: false, stop: () => undefined };
  const onMessage = (m: MessageEvent) => void early.frames.push(m);
  const onClose = () => void (early.closed = true);
  early.ws = await openSocket(end.factory, wsUrl(end.base, pathOf(end.id, secret)), {
    label: `migration ${name}`,
    remote: end.remote,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal,
    onCreate: (ws) => {
      ws.addEventListener("message", onMessage);
      ws.addEventListener("close", onClose);
    },
  });
  early.stop = () => {
    early.ws.removeEventListener("message", onMessage);
    early.ws.removeEventListener("close", onClose);
  };
  return early;
}

/**
 * Connects `source` and `target`'s sockets pair by pair (control first, as LXD's Go client does:
 * the source starts sending once its control socket is connected) and relays them. Every name
 * the target expects must be offered by the source.
 */
export async function relayMigration(source: RelayEnd, target: RelayEnd, signal?: AbortSignal): Promise<Relay> {
  for (const name of Object.keys(target.secrets)) {
    if (source.secrets[name] === undefined)
      throw new ConnectionError({
        method: "GET",
        path: `/1.0/operations/${source.id}/websocket`,
        remote: source.remote,
        code: undefined,
        detail: `the migration target expects the "${name}" socket, which the source does not offer`,
      });
  }
  if (target.secrets.control === undefined) throw new Error("the migration target has no control socket");
  const names = ["control", ...Object.keys(source.secrets).filter((n) => n !== "control" && target.secrets[n] !== undefined)];
  const sockets: WebSocket[] = [];
  const pairs: Promise<void>[] = [];
  let carried = 0;
  try {
    for (const name of names) {
      const from = await connect(source, name, signal);
      sockets.push(from.ws);
      const to = await connect(target, name, signal);
      sockets.push(to.ws);
      pairs.push(pair(from, to, (n) => (carried += n)));
    }
  } catch (err) {
    for (const ws of sockets) safeClose(ws);
    throw err;
  }
  const done = Promise.all(pairs).then(() => undefined);
  done.catch(() => undefined); // the caller reads it after the operations' outcome
  return {
    done,
    get bytes() {
      return carried;
    },
    close() {
      for (const ws of sockets) safeClose(ws);
    },
  };
}

/**
 * Carries frames both ways between `a` (source) and `b` (target) and closes both when either
 * closes, as LXD's ws.Proxy does. Resolves once both are closed.
 */
function pair(a: Early, b: Early, count: (n: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      safeClose(a.ws);
      safeClose(b.ws);
      if (--open === 0) resolve();
    };
    forward(a, b.ws, count, closed);
    forward(b, a.ws, () => undefined, closed);
  });
}

/** Sends `from`'s frames to `to` in order, holding `from` back while `to` has too much queued. */
function forward(early: Early, to: WebSocket, count: (n: number) => void, closed: () => void): void {
  const from = early.ws;
  const flow = pausable(from);
  let paused = false;
  let poll: ReturnType<typeof setInterval> | undefined;
  let breather: ReturnType<typeof setTimeout> | undefined;
  // A Blob frame is read asynchronously; later frames queue behind it to keep the order.
  let chain: Promise<void> | undefined;
  const resume = () => {
    clearInterval(poll);
    clearTimeout(breather);
    poll = undefined;
    if (paused) {
      paused = false;
      flow?.resume();
    }
  };
  const hold = () => {
    if (!flow || paused) return;
    paused = true;
    flow.pause();
    poll = setInterval(() => {
      if (to.readyState !== 1 || to.bufferedAmount <= LOW_WATER) resume();
    }, DRAIN_POLL_MS);
    breather = setTimeout(() => {
      // Read on (a ping may be waiting); the next frame holds it back again if still full.
      if (paused) {
        paused = false;
        flow.resume();
      }
    }, BREATHE_MS);
  };
  const send = (data: string | Uint8Array) => {
    if (to.readyState !== 1) return;
    to.send(data);
    if (typeof data !== "string") count(data.byteLength);
    if (to.bufferedAmount > HIGH_WATER) hold();
  };
  const onMessage = (m: MessageEvent) => {
    if (typeof m.data === "string") {
      const text = m.data;
      if (chain) chain = chain.then(() => send(text));
      else send(text);
      return;
    }
    let bytes: Uint8Array | Promise<Uint8Array>;
    try {
      bytes = toBytes(m.data);
    } catch {
      safeClose(from);
      return;
    }
    if (bytes instanceof Promise || chain) {
      const p = Promise.resolve(bytes);
      chain = (chain ?? Promise.resolve()).then(
        () => p.then(send),
        () => safeClose(from),
      );
    } else send(bytes);
  };
  const onClose = () => {
    resume();
    if (chain) void chain.then(closed, closed);
    else closed();
  };
  // What came before the relay listened goes first; nothing can come in between (one thread).
  early.stop();
  for (const m of early.frames.splice(0)) onMessage(m);
  if (early.closed) return onClose();
  from.addEventListener("message", onMessage);
  from.addEventListener("close", onClose, { once: true });
}
