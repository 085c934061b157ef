// Exec over native WebSockets, the traps of ../shared/docs/lxd-protocol.md handled: control opens
// first; binary frames only (a text frame is EOF, both ways); output ends with an empty text
// frame and a drop without a close frame; the exit code is `metadata.return` of the finished
// operation, and `exited` waits for it *and* both EOFs so no trailing output is lost.
import type { Core } from "./core.js";
import { AbortError, ConnectionError, InvalidArgumentError, LxdFetchError, OperationError, redact, redactOperation } from "./errors.js";
import type { EventHub } from "./events.js";
import { startOperation, type LxdOperation } from "./operation.js";
import type { OperationsApi } from "./operations.js";
import type { ControlMessage, ExecFds, ExecOperationMetadata, InstanceExecPost, Operation } from "./types.js";
import { concatBytes } from "./bytes.js";
import type { SocketOptions } from "./transport/types.js";
import { checkBoolean, checkInt, checkOptions, checkSegment, checkSignal, checkText } from "./validate.js";
import { openSocket, pausable, safeClose, toBytes, wsUrl, type WebSocketFactory } from "./websocket.js";

export interface ExecOptions {
  environment?: Record<string, string>;
  cwd?: string;
  /** uid and gid to run as. */
  user?: number;
  group?: number;
  /** A PTY: one bidirectional stream (stdout), resize, and `\x04` as EOF. */
  interactive?: boolean;
  width?: number;
  height?: number;
  project?: string;
  /** Aborting sends SIGTERM then closes control, which makes LXD SIGKILL the command. */
  signal?: AbortSignal;
}

export interface ExecExit {
  /** The command's exit status; 128+n when killed by signal n; 126/127 when it could not run. */
  exitCode: number;
  operation: Operation<ExecOperationMetadata>;
}

export interface ExecProcess {
  readonly operation: LxdOperation<ExecOperationMetadata>;
  /** Closing it sends EOF (non-interactive: the stdin socket closes; interactive: `\x04`). */
  readonly stdin: WritableStream<Uint8Array>;
  /** Bytes as they come, never decoded. In interactive mode the PTY's output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Empty and closed in interactive mode (the PTY merges it into stdout). */
  readonly stderr: ReadableStream<Uint8Array>;
  resize(cols: number, rows: number): Promise<void>;
  kill(signal?: number): Promise<void>;
  /** Resolves once the operation is final and stdout and stderr have both ended. */
  readonly exited: Promise<ExecExit>;
}

export interface RunOptions extends ExecOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;
}

export interface RunResult extends ExecExit {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** The output decoded as UTF-8. */
  text(stream?: "stdout" | "stderr"): string;
}

/** Something went wrong with the exec plumbing itself (not the command). */
export class ExecError extends LxdFetchError {
  override name = "ExecError";
}

/**
 * LXD closed an output socket without its end-of-stream frame: its reader failed and output
 * may be missing (LXD 5.0.2 does this now and then, more under load). The command did finish:
 * its exit code is here.
 */
export class ExecOutputError extends ExecError {
  override name = "ExecOutputError";
  readonly streams: ("stdout" | "stderr")[];
  readonly exitCode: number;
  readonly operation: Operation<ExecOperationMetadata>;
  constructor(id: string, streams: ("stdout" | "stderr")[], exitCode: number, operation: Operation<ExecOperationMetadata>) {
    super(`exec ${id}: LXD closed ${streams.join(" and ")} without end-of-stream; output may be incomplete (exit code ${exitCode})`);
    this.streams = streams;
    this.exitCode = exitCode;
    this.operation = redactOperation(operation);
  }
}

/**
 * `run()`'s input stream failed midway: the command was killed (SIGKILL, with stdin left open so
 * it sees no end of input first) rather than left to act
 * on part of its input. `cause` is the input's error; the exit code is the killed command's.
 */
export class ExecInputError extends ExecError {
  override name = "ExecInputError";
  readonly exitCode: number;
  readonly operation: Operation<ExecOperationMetadata>;
  constructor(id: string, exit: ExecExit, cause: unknown) {
    super(`exec ${id}: the input stream failed, so the command was killed (exit code ${exit.exitCode}) before it could act on part of it`, {
      cause,
    });
    this.exitCode = exit.exitCode;
    this.operation = redactOperation(exit.operation);
  }
}

export interface ExecDeps {
  core: Core;
  hub: EventHub;
  operations: OperationsApi;
  baseUrl(remote: string): string;
  webSocket(remote: string): WebSocketFactory;
  /** Waits for a place among the remote's connecting execs; resolves with its release. */
  connecting(remote: string, signal?: AbortSignal): Promise<() => void>;
}

const CONNECT_TIMEOUT_MS = 5000; // LXD 5.0 fails the operation when fds are not all connected in 5 s
const STDIN_HIGH_WATER = 1 << 20;
// LXD has sent all output before the operation is final; this covers the client's own delivery.
const END_GRACE_MS = 2000;
// Both outputs ended but no final state: LXD normally sends it within milliseconds.
const VERIFY_FIRST_MS = 1000;
const VERIFY_MAX_MS = 30_000;

export async function exec(
  deps: ExecDeps,
  remote: string | undefined,
  instance: string,
  command: string[],
  options: ExecOptions = {},
): Promise<ExecProcess> {
  const name = deps.core.resolve(remote);
  const body = execBody(instance, command, options);
  const { signal } = options;
  if (signal?.aborted) throw new AbortError(`exec in ${instance}`, signal.reason);

  const leave = await deps.connecting(name, signal);
  try {
    return await start(deps, name, instance, body, options);
  } finally {
    leave(); // connected (or failed): the next exec may connect
  }
}

async function start(deps: ExecDeps, name: string, instance: string, body: InstanceExecPost, options: ExecOptions): Promise<ExecProcess> {
  const { signal, project } = options;
  const handle = await startOperation<ExecOperationMetadata, "POST", "/1.0/instances/{name}/exec">(
    deps,
    name,
    "POST",
    "/1.0/instances/{name}/exec",
    {
      params: { path: { name: instance } },
      body,
      signal,
      project,
    },
  );
  const op = handle.current;
  const fds = op.metadata?.fds;
  if (!fds?.control || !fds["0"]) {
    handle.release();
    throw new ExecError(`exec in ${instance}: operation ${op.id} has no websocket secrets`);
  }
  try {
    return await attach(deps, name, handle, fds, options);
  } catch (err) {
    handle.release();
    throw err;
  }
}

function execBody(instance: string, command: string[], options: ExecOptions): InstanceExecPost {
  const o = checkOptions("exec", options);
  checkSegment("exec", "instance name", instance);
  if (!Array.isArray(command) || command.length === 0)
    throw new InvalidArgumentError("exec: command must be a non-empty array of strings (argv; no shell)");
  for (const [i, c] of command.entries()) checkText("exec", `command[${i}]`, c, { empty: i > 0 });
  if (o.environment !== undefined) {
    if (typeof o.environment !== "object" || o.environment === null || Array.isArray(o.environment))
      throw new InvalidArgumentError("exec: environment must be an object of strings");
    for (const [k, v] of Object.entries(o.environment)) {
      checkText("exec", "an environment name", k, { empty: false });
      if (k.includes("=")) throw new InvalidArgumentError(`exec: environment name ${JSON.stringify(k)} must not contain "="`);
      checkText("exec", `environment value of ${k}`, v);
    }
  }
  if (o.cwd !== undefined) checkText("exec", "cwd", o.cwd, { empty: false });
  for (const k of ["user", "group"] as const) checkInt("exec", k, o[k], 0, 0xffffffff);
  for (const k of ["width", "height"] as const) checkInt("exec", k, o[k], 1, 0xffff);
  checkBoolean("exec", "interactive", o.interactive);
  checkSignal("exec", o.signal);
  if (o.project !== undefined) checkSegment("exec", "project", o.project);
  return {
    command,
    "wait-for-websocket": true,
    interactive: o.interactive ?? false,
    "record-output": false,
    ...(o.environment && { environment: o.environment }),
    ...(o.cwd !== undefined && { cwd: o.cwd }),
    ...(o.user !== undefined && { user: o.user }),
    ...(o.group !== undefined && { group: o.group }),
    ...(o.width !== undefined && { width: o.width }),
    ...(o.height !== undefined && { height: o.height }),
  };
}

async function attach(
  deps: ExecDeps,
  remote: string,
  handle: LxdOperation<ExecOperationMetadata>,
  fds: ExecFds,
  options: ExecOptions,
): Promise<ExecProcess> {
  const interactive = options.interactive ?? false;
  const factory = deps.webSocket(remote);
  const base = deps.baseUrl(remote);
  const url = (secret: string) =>
    wsUrl(base, `/1.0/operations/${encodeURIComponent(handle.id)}/websocket?secret=${encodeURIComponent(secret)}`);
  // LXD's deadline covers all the sockets together, so they share one.
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  const open = (label: string, secret: string, socket: SocketOptions | undefined, onCreate: (ws: WebSocket) => void) =>
    openSocket(factory, url(secret), {
      label,
      remote,
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: options.signal,
      onCreate,
      socket,
    });

  let aborted: AbortError | undefined;
  const isAborted = () => aborted;
  let out: Output | undefined;
  let err: Output | undefined = interactive ? emptyStream() : undefined;
  const abortedWhile = (err: unknown) => (options.signal?.aborted ? new AbortError(`exec ${handle.id}`, options.signal.reason) : err);
  // One after another, each once the previous one is open, as LXD's Go client does: control
  // first (LXD starts the command once the data fds are connected, and refuses a control socket
  // that comes after a short command ended), then 0, 1, 2. Output sockets listen from creation
  // on (output can come before the next one opens) and never answer pings (websocket.ts).
  const fdList = interactive ? (["control", "0"] as const) : (["control", "0", "1", "2"] as const);
  const opened: WebSocket[] = [];
  try {
    for (const fd of fdList) {
      const label = fd === "control" ? "control" : fd === "0" ? "stdin" : fd === "1" ? "stdout" : "stderr";
      const output = fd === "1" || fd === "2" || (interactive && fd === "0");
      const where = { remote, path: redact(`/1.0/operations/${handle.id}/websocket?secret=${fds[fd]}`) };
      const ws = await open(label, fds[fd]!, output ? { answerPings: false } : undefined, (ws) => {
        if (fd === "2") err = outputStream(ws, "stderr", where, isAborted);
        else if (output) out = outputStream(ws, "stdout", where, isAborted);
      });
      opened.push(ws);
    }
  } catch (e) {
    for (const ws of opened) safeClose(ws); // closing control kills the command, if it started
    throw abortedWhile(e);
  }
  const [control, stdinWs] = opened as [WebSocket, WebSocket];
  if (!out || !err) throw new ExecError(`exec ${handle.id}: output sockets missing`);
  const [stdout, stderr] = [out, err];
  // Interactive: the operation ends only once we close fd 0 after the server's EOF.
  if (interactive)
    void stdout.ended.then(
      () => safeClose(stdinWs),
      () => undefined,
    );

  const sendControl = async (msg: ControlMessage) => {
    if (control.readyState !== 1) throw new ExecError(`exec ${handle.id}: the command has ended; control is closed`);
    control.send(JSON.stringify(msg));
  };

  const exited = (async (): Promise<ExecExit> => {
    // Once the operation is final (or waiting for it failed), LXD has sent all output: every
    // stream ends within the grace, or is dropped. Nothing waits on a socket forever.
    const outcome = finalState(handle, options.signal).then(
      (op) => ({ op }),
      (error: unknown) => ({ error }),
    );
    void outcome.then((r) => {
      stdout.expectEnd(END_GRACE_MS, "error" in r);
      stderr.expectEnd(END_GRACE_MS, "error" in r);
    });
    // And the other way round: once both outputs have ended, the command has usually exited, so
    // a final state that does not follow is asked for, in case its event was missed: the wait
    // never rests on the events socket alone.
    const settled = outcome.then(() => undefined);
    void Promise.all([stdout.ended, stderr.ended]).then(() => verifyUntil(handle, settled));
    const [result] = await Promise.all([outcome, stdout.ended, stderr.ended]);
    stdout.settle();
    stderr.settle();
    if ("error" in result) throw result.error;
    const final = result.op;
    const lost = (["stdout", "stderr"] as const).filter((_, i) => [stdout, stderr][i]!.dropped());
    const code = final.metadata?.return;
    if (typeof code !== "number" || code < 0) {
      throw new OperationError(handle.id, {
        statusCode: final.status_code,
        status: final.status,
        err: final.err || "the command did not start",
        operation: final,
      });
    }
    if (lost.length > 0) throw new ExecOutputError(handle.id, lost, code, final);
    return { exitCode: code, operation: final };
  })();
  exited
    .catch(() => undefined)
    .finally(() => {
      for (const ws of opened) safeClose(ws);
      options.signal?.removeEventListener("abort", onAbort);
      handle.release();
    });

  const onAbort = () => {
    aborted = new AbortError(`exec ${handle.id}`, options.signal?.reason);
    stdout.abort(aborted);
    stderr.abort(aborted);
    try {
      if (control.readyState === 1) control.send(JSON.stringify({ command: "signal", signal: 15 } satisfies ControlMessage));
    } finally {
      for (const ws of opened) safeClose(ws); // control's close SIGKILLs what is left
    }
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while the last socket opened

  return {
    operation: handle,
    stdin: stdinStream(stdinWs, interactive),
    stdout: stdout.stream,
    stderr: stderr.stream,
    resize: (cols, rows) => {
      if (!interactive) return Promise.reject(new InvalidArgumentError("resize: only interactive execs have a terminal"));
      for (const v of [cols, rows]) {
        if (!(Number.isInteger(v) && v > 0 && v <= 0xffff))
          return Promise.reject(new InvalidArgumentError("resize: cols and rows must be positive integers"));
      }
      // Strings: LXD silently ignores numbers here.
      return sendControl({ command: "window-resize", args: { width: String(cols), height: String(rows) } });
    },
    kill: (signal = 15) => {
      if (!(Number.isInteger(signal) && signal > 0 && signal < 65))
        return Promise.reject(new InvalidArgumentError("kill: signal must be an integer from 1 to 64"));
      return sendControl({ command: "signal", signal });
    },
    exited: observed(
      exited.catch((e: unknown) => {
        throw aborted ?? e;
      }),
    ),
  };
}

/** Marks a promise as handled (a reader of stdout may never await `exited`); awaiting it still throws. */
function observed<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** GETs the operation 1 s after the outputs ended, then at doubling intervals up to 30 s, until `settled`. */
function verifyUntil(handle: LxdOperation<ExecOperationMetadata>, settled: Promise<void>): void {
  let delay = VERIFY_FIRST_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let over = false;
  void settled.then(() => {
    over = true;
    clearTimeout(timer);
  });
  const next = () => {
    timer = setTimeout(() => {
      if (over) return;
      handle.verify();
      delay = Math.min(VERIFY_MAX_MS, delay * 2);
      next();
    }, delay);
  };
  next();
}

/** The final operation state; 126/127 end as Failure with `return` set, which is still an exit. */
async function finalState(handle: LxdOperation<ExecOperationMetadata>, signal?: AbortSignal): Promise<Operation<ExecOperationMetadata>> {
  try {
    return await handle.wait(signal ? { signal } : {});
  } catch (err) {
    const op = err instanceof OperationError ? (err.operation as Operation<ExecOperationMetadata> | undefined) : undefined;
    if (op && typeof op.metadata?.return === "number" && op.metadata.return >= 0) return op;
    throw err;
  }
}

interface Output {
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
}

// Bytes held for a reader before the socket stops reading (where the runtime's socket can).
const OUTPUT_HIGH_WATER = 1 << 20;
const BREATHE_MS = 2000;

function outputStream(
  ws: WebSocket,
  label: string,
  where: { remote: string; path: string },
  aborted: () => AbortError | undefined,
): Output {
  let markEnded!: () => void;
  const ended = new Promise<void>((res) => (markEnded = res));
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
  };
}

function emptyStream(): Output {
  const none = () => undefined;
  return {
    stream: new ReadableStream({ start: (c) => c.close() }),
    ended: Promise.resolve(),
    dropped: none,
    expectEnd: none,
    abort: none,
    settle: none,
  };
}

function stdinStream(ws: WebSocket, interactive: boolean): WritableStream<Uint8Array> {
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
      if (ws.readyState !== 1) return;
      // A PTY's EOF is the EOT character; otherwise closing the socket is LXD's stdin EOF.
      if (interactive) ws.send(new Uint8Array([4]));
      else ws.close(1000);
    },
    abort() {
      if (!interactive) safeClose(ws);
    },
  });
}

export async function run(
  deps: ExecDeps,
  remote: string | undefined,
  instance: string,
  command: string[],
  options?: RunOptions,
): Promise<RunResult> {
  const { input, ...execOptions } = checkOptions("run", options);
  const bytes = inputBytes(input);
  const proc = await exec(deps, remote, instance, command, execOptions);
  const feed = (async () => {
    const writer = proc.stdin.getWriter();
    if (input instanceof ReadableStream) await feedStream(input, writer, () => proc.kill(9));
    else if (bytes) await writer.write(bytes).catch(() => undefined); // the command closed its stdin: its choice
    await writer.close().catch(() => undefined);
  })();
  const results = await Promise.allSettled([collect(proc.stdout), collect(proc.stderr), proc.exited, feed]);
  // exited's error says the most (ExecOutputError has the exit code); then the streams'.
  for (const r of [results[2], results[0], results[1]]) if (r.status === "rejected") throw r.reason;
  const [stdout, stderr, exit] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [Uint8Array, Uint8Array, ExecExit];
  // The command ended, but it may have seen only part of its input: say so, never a quiet success.
  if (results[3].status === "rejected") throw new ExecInputError(proc.operation.id, exit, results[3].reason);
  const decoder = new TextDecoder();
  return { ...exit, stdout, stderr, text: (s = "stdout") => decoder.decode(s === "stdout" ? stdout : stderr) };
}

/**
 * Copies `input` to stdin. A command that stops reading is its own business (stdin closed, like
 * a shell's SIGPIPE); but when the input itself fails, the command is killed rather than left to
 * act on part of it, and the failure is thrown (run() reports it as ExecInputError).
 */
async function feedStream(
  input: ReadableStream<Uint8Array>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  kill: () => Promise<void>,
): Promise<void> {
  const reader = input.getReader();
  for (;;) {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (err) {
      // stdin stays open: an EOF now could reach the command before the SIGKILL does.
      await kill().catch(() => undefined);
      throw err;
    }
    if (r.done) return;
    try {
      await writer.write(r.value);
    } catch {
      await reader.cancel().catch(() => undefined);
      return;
    }
  }
}

/** `input` as bytes (a stream is piped as it is); anything else is refused before sending. */
function inputBytes(input: RunOptions["input"]): Uint8Array | undefined {
  if (input instanceof ReadableStream) {
    if (input.locked) throw new InvalidArgumentError("run: the input stream is locked (it already has a reader)");
    return undefined;
  }
  if (input === undefined) return undefined;
  if (typeof input === "string") return new TextEncoder().encode(input);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new InvalidArgumentError(`run: input must be a string, bytes or a ReadableStream (got ${input === null ? "null" : typeof input})`);
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  // A reader loop: Safari's ReadableStream is not async-iterable.
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    parts.push(r.value);
    size += r.value.byteLength;
  }
  return parts.length === 0 ? new Uint8Array(0) : concatBytes(parts, size);
}
