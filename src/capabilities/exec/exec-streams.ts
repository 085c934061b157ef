// The byte streams over an operation's websockets, for exec and the console (the same framing):
// connecting the fds in LXD's order, an output websocket as a ReadableStream (end-of-stream,
// drops, backpressure and the grace after the command finished), input as a WritableStream of
// binary frames, and the control socket's messages. Facts: docs/protocol.md.
import { defer } from "../../utils/defer.js";
import { type AbortError, ConnectionError, ExecError, InvalidArgumentError, redact } from "../../utils/errors.js";
import type { SocketOptions } from "../../transport/types.js";
import type { MetadataReader } from "../operation.js";
import type { ControlMessage, ExecFds, ExecOperationMetadata } from "../../types/lxd.js";
import { openSocket, pausable, safeClose, toBytes, type WebSocketFactory, wsUrl } from "../../streams/websocket.js";

export interface Output {
  stream: ReadableStream<Uint8Array>;
  /** Resolves when the socket is done: at the server's end-of-stream frame, or when it dropped. */
  ended: Promise<void>;
  /** The socket closed without the end-of-stream frame: LXD's reader failed, output may be lost. */
  dropped(): ConnectionError | undefined;
  /**
   * The operation is final, so LXD has sent everything: the stream must end within `graceMs` of
   * its last frame (time spent paused for a slow reader does not count, unless `always`: the
   * wait failed, and nothing more may come), or it is dropped.
   */
  expectEnd(graceMs: number, always?: boolean): void;
  /** Ends the stream with `error` now (an abort): the socket's own close is not waited for. */
  abort(error: AbortError): void;
  /** Errors a dropped stream with its drop, once exited knows the operation's outcome. */
  settle(): void;
  /** Ends a dropped stream as a normal end (a console's end is its socket's close, frame or not). */
  end(): void;
}

// Bytes held for a reader before the socket stops reading (where the runtime's socket can).
const OUTPUT_HIGH_WATER = 1_048_576; // 1 MiB; a literal, so a bundle without exec drops it
const BREATHE_MS = 2000;

export function outputStream(
  ws: WebSocket,
  label: string,
  where: { remote: string; path: string },
  aborted: () => AbortError | undefined,
): Output {
  const { promise: ended, resolve: markEnded } = defer();
  let done = false;
  let cancelled = false;
  let dropped: ConnectionError | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const flow = pausable(ws);
  let paused = false;
  let breather: ReturnType<typeof setTimeout> | undefined;
  let graceMs: number | undefined;
  let graceAlways = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  // A Blob frame is read asynchronously; later frames queue behind it to keep the order.
  let chain: Promise<void> | undefined;
  const finish = (error?: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(graceTimer);
    resume();
    if (error === undefined) {
      if (!cancelled) controller.close();
    } else if (!cancelled) controller.error(error);
  };
  const drop = (detail: string, code?: number) => {
    dropped = new ConnectionError({
      method: "GET",
      ...where,
      code: code === undefined ? undefined : String(code),
      detail: `${label} ${detail}`,
    });
    clearTimeout(graceTimer);
    markEnded();
  };
  const armGrace = () => {
    clearTimeout(graceTimer);
    if (graceMs === undefined || done || dropped || (paused && !graceAlways)) return;
    graceTimer = setTimeout(() => {
      if (done || dropped) return;
      drop(`did not end within ${graceMs} ms after the command finished`);
      safeClose(ws);
    }, graceMs);
  };
  // Backpressure, for a reader that has the stream (an unread stream buffers, so `exited` can
  // never wait on output nobody reads). Every BREATHE_MS paused, one more read: LXD's keepalive
  // ping has a 5 s write deadline, and a ping that cannot be written ends the socket (gorilla).
  const pause = () => {
    if (!flow || done || !stream.locked) return;
    paused = true;
    flow.pause();
    clearTimeout(graceTimer);
    clearTimeout(breather);
    breather = setTimeout(() => flow.resume(), BREATHE_MS);
  };
  const resume = () => {
    if (!paused) return;
    paused = false;
    clearTimeout(breather);
    flow?.resume();
    armGrace();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        const push = (bytes: Uint8Array) => {
          if (cancelled || done || bytes.byteLength === 0) return;
          controller.enqueue(bytes);
          // Backpressure: stop reading the socket until the reader catches up (pull).
          if ((controller.desiredSize ?? 1) <= 0) pause();
        };
        const eof = () => {
          finish();
          markEnded();
        };
        const fail = (error: unknown) => {
          finish(error);
          dropped ??= error instanceof ConnectionError ? error : undefined;
          markEnded();
        };
        const later = (f: () => void) => {
          chain = (chain ?? Promise.resolve()).then(f, f);
        };
        ws.addEventListener("message", (m: MessageEvent) => {
          if (done || dropped) return;
          armGrace();
          if (typeof m.data === "string") return chain ? later(eof) : eof(); // text frame = EOF
          let bytes: Uint8Array | Promise<Uint8Array>;
          try {
            bytes = toBytes(m.data);
          } catch (e) {
            return fail(new ExecError(`${label}: ${(e as Error).message}`));
          }
          if (bytes instanceof Promise || chain) {
            const p = Promise.resolve(bytes);
            chain = (chain ?? Promise.resolve()).then(() => p.then(push), fail);
          } else push(bytes);
        });
        ws.addEventListener("close", (c: CloseEvent) => {
          const onClose = () => {
            if (done || dropped) return;
            const abort = aborted();
            if (abort) {
              finish(abort);
              return markEnded();
            }
            // No end-of-stream frame: the output LXD had not sent is lost. The stream errors once
            // exited has the exit code to report (settle).
            drop(`ended without end-of-stream (close code ${c.code})`, c.code);
          };
          return chain ? later(onClose) : onClose();
        });
      },
      pull() {
        resume();
      },
      cancel() {
        // The reader gave up: keep draining the socket (closing it would kill the command).
        cancelled = true;
        resume();
      },
    },
    { highWaterMark: OUTPUT_HIGH_WATER, size: (chunk) => chunk.byteLength },
  );
  return {
    stream,
    ended,
    dropped: () => dropped,
    expectEnd(ms, always = false) {
      graceMs = ms;
      graceAlways = always;
      armGrace();
    },
    abort(error) {
      finish(error);
      markEnded();
    },
    settle() {
      if (dropped) finish(dropped);
    },
    end() {
      finish();
      markEnded();
    },
  };
}

export function emptyStream(): Output {
  const none = () => undefined;
  return {
    stream: new ReadableStream({ start: (c) => c.close() }),
    ended: Promise.resolve(),
    dropped: none,
    expectEnd: none,
    abort: none,
    settle: none,
    end: none,
  };
}

const STDIN_HIGH_WATER = 1_048_576; // 1 MiB

/**
 * How closing the input ends it: `close` closes the socket (LXD's stdin EOF), `eot` sends the
 * EOT character (a PTY's end-of-file), a function detaches (a console, whose socket also carries
 * the output; an abort detaches too).
 */
export type InputEnd = "close" | "eot" | (() => Promise<void>);

export function stdinStream(ws: WebSocket, end: InputEnd): WritableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const ensureOpen = () => {
    if (ws.readyState !== 1) throw new ExecError("stdin is closed (the command ended or stdin was closed)");
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      ensureOpen();
      // Always binary: a text frame would end stdin.
      const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
      if (bytes.byteLength === 0) return;
      ws.send(bytes);
      // WebSocket has no drain event: poll the send buffer to keep memory flat.
      while (ws.bufferedAmount > STDIN_HIGH_WATER && ws.readyState === 1) await new Promise((r) => setTimeout(r, 2));
    },
    close() {
      if (typeof end === "function") return end();
      if (ws.readyState !== 1) return;
      if (end === "eot") ws.send(new Uint8Array([4]));
      else ws.close(1000);
    },
    abort() {
      if (typeof end === "function") return void end();
      if (end === "close") safeClose(ws);
    },
  });
}

/** One of an operation's fds to connect: its label in messages, and its Output's label when it carries output. */
export interface FdPlan {
  fd: string;
  label: string;
  output?: string;
}

/** Where an operation's websockets are: `/1.0/operations/<id>/websocket?secret=<fd's secret>`. */
export interface SocketTarget {
  factory: WebSocketFactory;
  base: string;
  remote: string;
  id: string;
  signal?: AbortSignal | undefined;
}

export interface Connected {
  /** The sockets in the plan's order. */
  sockets: WebSocket[];
  /** The output streams, by fd. */
  outputs: Map<string, Output>;
}

// LXD 5.0 and Incus 6.0 fail the operation when its fds are not all connected in 5 s (current LXD:
// 10 s). A socket that reaches the server just as the operation ends can crash the daemon: its
// Connect checks "running" under the lock, then calls onConnect from a goroutine after the
// unlock, and the operation's done() sets onConnect to nil meanwhile (a nil dereference, seen on
// both test servers under load after floods of late sockets; docs/exec-output.md). So no socket
// is started in the last second before the server's deadline; one started before it may take
// until the server has given its verdict (it refuses a late one at once).
const START_BY_MS = 4000;
const OPEN_BY_MS = 12_000;

/**
 * Connects the plan's fds one after another, each once the previous one is open, as LXD's Go
 * client does: control first (LXD starts the command, or the console, once the data fds are
 * connected, and refuses a control socket that comes after a short command ended), then the data
 * fds in order (connecting them at once loses output). LXD's deadline covers them all together,
 * so they share one. An output socket listens from creation on (output can come before the next
 * one opens) and never answers pings (websocket.ts). On failure every socket opened is closed
 * (closing control kills the command, if it started).
 */
export async function connectFds(
  target: SocketTarget,
  fds: Readonly<Record<string, string | undefined>>,
  plan: readonly FdPlan[],
  aborted: () => AbortError | undefined,
  /** When the request that created the operation was sent: the server's clock starts after it. */
  sentAt = Date.now(),
): Promise<Connected> {
  const startBy = sentAt + START_BY_MS;
  const openBy = sentAt + OPEN_BY_MS;
  const pathOf = (secret: string) => `/1.0/operations/${encodeURIComponent(target.id)}/websocket?secret=${encodeURIComponent(secret)}`;
  const sockets: WebSocket[] = [];
  const outputs = new Map<string, Output>();
  try {
    for (const { fd, label, output } of plan) {
      const secret = fds[fd];
      if (!secret) throw new ExecError(`operation ${target.id} has no websocket secret for fd ${fd}`);
      const where = { remote: target.remote, path: redact(pathOf(secret)) };
      const socket: SocketOptions | undefined = output === undefined ? undefined : { answerPings: false };
      if (Date.now() > startBy)
        throw new ExecError(
          `operation ${target.id}: ${label} websocket not started, less than a second was left of the server's time to connect them all`,
        );
      const ws = await openSocket(target.factory, wsUrl(target.base, pathOf(secret)), {
        label,
        remote: target.remote,
        timeoutMs: Math.max(1, openBy - Date.now()),
        signal: target.signal,
        onCreate: (ws) => {
          if (output !== undefined) outputs.set(fd, outputStream(ws, output, where, aborted));
        },
        socket,
      });
      sockets.push(ws);
    }
  } catch (err) {
    for (const ws of sockets) safeClose(ws);
    throw err;
  }
  return { sockets, outputs };
}

/** Sends control messages while the control socket is open. */
export function controlSender(control: WebSocket, what: string): (msg: ControlMessage) => Promise<void> {
  return async (msg) => {
    if (control.readyState !== 1) throw new ExecError(`${what}: the session has ended; control is closed`);
    control.send(JSON.stringify(msg));
  };
}

/** A terminal's window-resize, checked first; the sizes go as strings (LXD silently ignores numbers). */
export function sendResize(send: (msg: ControlMessage) => Promise<void>, cols: number, rows: number): Promise<void> {
  for (const v of [cols, rows]) {
    if (!(Number.isInteger(v) && v > 0 && v <= 0xffff))
      return Promise.reject(new InvalidArgumentError("resize: cols and rows must be positive integers"));
  }
  return send({ command: "window-resize", args: { width: String(cols), height: String(rows) } });
}

const isText = (v: unknown): v is string => typeof v === "string";
/** A field of something that may be an object, unknown until checked. */
const field = (o: unknown, key: string): unknown => (typeof o === "object" && o !== null ? Reflect.get(o, key) : undefined);

/** Exec's (and a console's) operation metadata, its typed fields checked: the fd secrets and the exit code. */
export const readExecMetadata: MetadataReader<ExecOperationMetadata> = ({ fds, return: code, output, ...rest }) => {
  const [control, stdin, stdout, stderr] = ["control", "0", "1", "2"].map((k) => field(fds, k));
  const typed: ExecFds | undefined =
    isText(control) && isText(stdin)
      ? { control, "0": stdin, ...(isText(stdout) && { "1": stdout }), ...(isText(stderr) && { "2": stderr }) }
      : undefined;
  const [outFile, errFile] = ["1", "2"].map((k) => field(output, k));
  const files =
    isText(outFile) || isText(errFile) ? { ...(isText(outFile) && { "1": outFile }), ...(isText(errFile) && { "2": errFile }) } : undefined;
  return { ...rest, ...(typed && { fds: typed }), ...(typeof code === "number" && { return: code }), ...(files && { output: files }) };
};
