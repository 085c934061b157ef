// Exec over native WebSockets, the traps of docs/protocol.md handled: control opens
// first; binary frames only (a text frame is EOF, both ways); output ends with an empty text
// frame and a drop without a close frame; the exit code is `metadata.return` of the finished
// operation, and `exited` waits for it *and* both EOFs so no trailing output is lost.
import type { Where } from "../../request/pipeline.js";
import {
  AbortError,
  ExecError,
  ExecNotStartedError,
  ExecOutputError,
  InvalidArgumentError,
  OperationError,
  TlsError,
} from "../../utils/errors.js";
import { TLS_CODE } from "../../transport/cause.js";
import {
  type Connected,
  connectFds,
  controlSender,
  emptyStream,
  type FdPlan,
  readExecMetadata,
  sendResize,
  stdinStream,
} from "./exec-streams.js";
import { type LxdOperation, type StartDeps, startOperation } from "../operation.js";
import type { ControlMessage, ExecFds, ExecOperationMetadata, InstanceExecPost, Operation } from "../../types/lxd.js";
import { checkBoolean, checkInt, checkOptions, checkSegment, checkSignal, checkText } from "../../utils/validate.js";
import { safeClose, type WebSocketFactory } from "../../streams/websocket.js";

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
  /**
   * Exec operations created for this command: 1, or more when the server gave up waiting for the
   * websockets before the command started (it never ran) and the command was sent again.
   */
  attempts: number;
}

export interface ExecProcess {
  readonly operation: LxdOperation<ExecOperationMetadata>;
  /** Exec operations created to start it (see ExecExit.attempts). */
  readonly attempts: number;
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

export interface ExecDeps extends StartDeps {
  baseUrl(remote: string): string;
  webSocket(remote: string): WebSocketFactory;
  /** Waits for a place among the remote's connecting execs; resolves with its release. */
  connecting(remote: string, signal?: AbortSignal): Promise<() => void>;
}

// The fds in the order they connect (exec-streams.ts, connectFds); interactive: one PTY stream.
const FDS: FdPlan[] = [
  { fd: "control", label: "control" },
  { fd: "0", label: "stdin" },
  { fd: "1", label: "stdout", output: "stdout" },
  { fd: "2", label: "stderr", output: "stderr" },
];
const INTERACTIVE_FDS: FdPlan[] = [
  { fd: "control", label: "control" },
  { fd: "0", label: "stdin", output: "stdout" },
];
// LXD has sent all output before the operation is final; this covers the client's own delivery.
const END_GRACE_MS = 2000;
// Both outputs ended but no final state: LXD normally sends it within milliseconds.
const VERIFY_FIRST_MS = 1000;
const VERIFY_MAX_MS = 30_000;
// A server that gave up waiting for the websockets fails the operation with this, before the
// command starts (LXD 5.0 and Incus 6.0 after 5 s, current LXD after 10 s): sending it again is safe.
const NOT_STARTED = /^Timed out waiting for websockets to connect$/;
// Operations sent for one exec whose websockets the server stopped waiting for, the last included.
const START_ATTEMPTS = 3;
// The server was too busy to take the sockets in time: give it this long (times the attempt) first.
const RETRY_PAUSE_MS = 1000;
// After a failed connect, how long the operation's verdict is waited for: the server's own
// deadline (10 s at most) from its start, and some.
const VERDICT_MS = 12_000;

export async function exec(
  deps: ExecDeps,
  where: Where,
  instance: string,
  command: string[],
  options: ExecOptions = {},
): Promise<ExecProcess> {
  const name = deps.core.resolve(where);
  const body = execBody(instance, command, options);
  const { signal } = options;
  if (signal?.aborted) throw new AbortError(`exec in ${instance}`, signal.reason);

  const leave = await deps.connecting(name, signal);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(deps, where, instance, body, options, attempt);
      } catch (err) {
        if (!(err instanceof ExecNotStartedError) || attempt >= START_ATTEMPTS) throw err;
        await pause(RETRY_PAUSE_MS * attempt, signal, instance);
      }
    }
  } finally {
    leave(); // connected (or failed): the next exec may connect
  }
}

async function start(
  deps: ExecDeps,
  where: Where,
  instance: string,
  body: InstanceExecPost,
  options: ExecOptions,
  attempt: number,
): Promise<ExecProcess> {
  const { signal, project } = options;
  const name = deps.core.resolve(where);
  const sentAt = Date.now();
  const handle = await startOperation<ExecOperationMetadata, "POST", "/1.0/instances/{name}/exec">(
    deps,
    where,
    "POST",
    "/1.0/instances/{name}/exec",
    {
      params: { path: { name: instance } },
      body,
      signal,
      project,
    },
    readExecMetadata,
  );
  const op = handle.current;
  const fds = op.metadata?.fds;
  if (!fds?.control || !fds["0"]) {
    handle.release();
    throw new ExecError(`exec in ${instance}: operation ${op.id} has no websocket secrets`);
  }
  try {
    return await attach(deps, name, handle, fds, options, attempt, sentAt);
  } catch (err) {
    // A certificate refused is no server too busy: its verdict would be the same, never retried.
    const never = signal?.aborted || tlsFailure(err) ? undefined : await neverStarted(handle);
    handle.release();
    if (never) throw new ExecNotStartedError(handle.id, attempt, never, { cause: err });
    throw err;
  }
}

/** Whether a TLS check failed somewhere in `err`'s causes (by code, or by message where a runtime gives none). */
function tlsFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof TlsError || (typeof code === "string" && TLS_CODE.test(code)) || TLS_CODE.test(e.message)) return true;
  }
  return false;
}

/** Waits `ms`, or rejects with AbortError once `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined, instance: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError(`exec in ${instance}`, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * After the websockets failed to connect: the operation, when the server says the command never
 * started because it stopped waiting for them (a retry is then safe); else undefined.
 */
async function neverStarted(handle: LxdOperation<ExecOperationMetadata>): Promise<Operation | undefined> {
  try {
    await handle.wait({ timeout: VERDICT_MS });
  } catch (err) {
    const op = err instanceof OperationError ? err.operation : undefined;
    const code = op?.metadata?.return;
    if (op && NOT_STARTED.test(op.err) && !(typeof code === "number" && code >= 0)) return op;
  }
  return undefined;
}

/**
 * The exec request, its input checked. `record`: no websockets, the output written to files the
 * final operation names (`metadata.output`), the command's stdin empty.
 */
export function execBody(instance: string, command: string[], options: ExecOptions, record = false): InstanceExecPost {
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
    "wait-for-websocket": !record,
    interactive: o.interactive ?? false,
    "record-output": record,
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
  attempts: number,
  sentAt: number,
): Promise<ExecProcess> {
  const interactive = options.interactive ?? false;
  let aborted: AbortError | undefined;
  const isAborted = () => aborted;
  const abortedWhile = (err: unknown) => (options.signal?.aborted ? new AbortError(`exec ${handle.id}`, options.signal.reason) : err);
  const target = { factory: deps.webSocket(remote), base: deps.baseUrl(remote), remote, id: handle.id, signal: options.signal };
  let connected: Connected;
  try {
    connected = await connectFds(target, fds, interactive ? INTERACTIVE_FDS : FDS, isAborted, sentAt);
  } catch (e) {
    throw abortedWhile(e);
  }
  const { sockets: opened, outputs } = connected;
  const [control, stdinWs] = opened as [WebSocket, WebSocket];
  const stdout = outputs.get(interactive ? "0" : "1");
  const stderr = interactive ? emptyStream() : outputs.get("2");
  if (!stdout || !stderr) throw new ExecError(`exec ${handle.id}: output sockets missing`);
  // Interactive: the operation ends only once we close fd 0 after the server's EOF.
  if (interactive)
    void stdout.ended.then(
      () => safeClose(stdinWs),
      () => undefined,
    );

  const sendControl = controlSender(control, `exec ${handle.id}`);

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
    return { exitCode: code, operation: final, attempts };
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
    attempts,
    stdin: stdinStream(stdinWs, interactive ? "eot" : "close"),
    stdout: stdout.stream,
    stderr: stderr.stream,
    resize: (cols, rows) => {
      if (!interactive) return Promise.reject(new InvalidArgumentError("resize: only interactive execs have a terminal"));
      return sendResize(sendControl, cols, rows);
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
export async function finalState(
  handle: LxdOperation<ExecOperationMetadata>,
  signal?: AbortSignal,
): Promise<Operation<ExecOperationMetadata>> {
  try {
    return await handle.wait(signal ? { signal } : {});
  } catch (err) {
    const failed = err instanceof OperationError ? err.operation : undefined;
    const metadata = failed?.metadata ? readExecMetadata(failed.metadata) : null;
    if (failed && metadata?.return !== undefined && metadata.return >= 0) return { ...failed, metadata };
    throw err;
  }
}
