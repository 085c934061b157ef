// An instance's console (`POST /1.0/instances/{name}/console`): fds `0` (both ways) and
// `control`, the framing of interactive exec, so the byte streams are exec's
// (exec-streams.ts). LXD ends a console when control closes; its data socket then ends
// with or without the end-of-stream frame, either being a normal end here.
import type { ProjectOptions } from "../options.js";
import { syncMetadata } from "../../request/envelope.js";
import { AbortError, ExecError } from "../../utils/errors.js";
import type { ExecDeps } from "./exec.js";
import { connectFds, controlSender, type FdPlan, readExecMetadata, sendResize, stdinStream } from "./exec-streams.js";
import { type LxdOperation, startOperation } from "../operation.js";
import type { Args, Flat, Lead } from "../mutator.js";
import { sendRaw } from "../../request/raw.js";
import type { Where } from "../../request/pipeline.js";
import type { ExecOperationMetadata } from "../../types/lxd.js";
import { checkInstanceCall, checkInt } from "../../utils/validate.js";
import { safeClose } from "../../streams/websocket.js";

export interface ConsoleOptions {
  /** Terminal size at start; `resize()` changes it. */
  width?: number;
  height?: number;
  project?: string;
  /** Aborting detaches, as `close()` does. */
  signal?: AbortSignal;
}

export interface ConsoleSession {
  readonly operation: LxdOperation<ExecOperationMetadata>;
  /** The console's output, bytes as they come (backpressure holds the socket). */
  readonly readable: ReadableStream<Uint8Array>;
  /** Keystrokes, sent as binary frames. Closing it detaches. */
  readonly writable: WritableStream<Uint8Array>;
  resize(cols: number, rows: number): Promise<void>;
  /** Detaches (LXD ends the console when control closes); resolves once the session has ended. */
  close(): Promise<void>;
  /** Resolves when the session has ended, by `close()` or by the server (the instance stopped). */
  readonly closed: Promise<void>;
}

/** The options of `console.log` and `console.clearLog`. */
export type ConsoleCallOptions = ProjectOptions;

export interface ConsoleApi<L extends Lead = Flat> {
  /** Attaches to the instance's console. */
  (...a: Args<L, [instance: string, options?: ConsoleOptions]>): Promise<ConsoleSession>;
  /** The console log (a container's ring buffer), as text. */
  log(...a: Args<L, [instance: string, options?: ConsoleCallOptions]>): Promise<string>;
  /** Empties the console log. */
  clearLog(...a: Args<L, [instance: string, options?: ConsoleCallOptions]>): Promise<void>;
}

export type ConsoleDeps = ExecDeps;

// Control first, as for exec: LXD starts the console once fd 0 is connected.
const FDS: FdPlan[] = [
  { fd: "control", label: "control" },
  { fd: "0", label: "console", output: "console" },
];
// After control closes, LXD resets the console and drops the data socket at once; this bounds a peer that does not.
const DETACH_GRACE_MS = 2000;
const PATH = "/1.0/instances/{name}/console" as const;

const query = (project: string | undefined) => (project === undefined ? {} : { query: { project } });

export function createConsole(deps: ConsoleDeps): ConsoleApi {
  const attach = async (where: Where, instance: string, options?: ConsoleOptions): Promise<ConsoleSession> => {
    const o = checkInstanceCall("console", instance, options) as ConsoleOptions;
    for (const k of ["width", "height"] as const) checkInt("console", k, o[k], 1, 0xffff);
    if (o.signal?.aborted) throw new AbortError(`console of ${instance}`, o.signal.reason);
    const name = deps.core.resolve(where);
    const leave = await deps.connecting(name, o.signal);
    let handle: LxdOperation<ExecOperationMetadata> | undefined;
    try {
      handle = await startOperation<ExecOperationMetadata, "POST", typeof PATH>(
        deps,
        where,
        "POST",
        PATH,
        {
          params: { path: { name: instance } },
          body: { ...(o.width !== undefined && { width: o.width }), ...(o.height !== undefined && { height: o.height }) },
          signal: o.signal,
          project: o.project,
        },
        readExecMetadata,
      );
      return await connect(deps, name, handle, o);
    } catch (err) {
      handle?.release();
      throw err;
    } finally {
      leave();
    }
  };
  return Object.assign(attach, {
    async log(where: Where, instance: string, options?: ConsoleCallOptions) {
      const o = checkInstanceCall("console.log", instance, options);
      const sent = await sendRaw(deps.core, where, "GET", PATH, {
        params: { path: { name: instance }, ...query(o.project) },
        signal: o.signal,
      });
      return sent.response.text();
    },
    async clearLog(where: Where, instance: string, options?: ConsoleCallOptions) {
      const o = checkInstanceCall("console.clearLog", instance, options);
      syncMetadata(
        await deps.core.send(where, "DELETE", PATH, { params: { path: { name: instance }, ...query(o.project) }, signal: o.signal }),
      );
    },
  });
}

async function connect(
  deps: ConsoleDeps,
  remote: string,
  handle: LxdOperation<ExecOperationMetadata>,
  options: ConsoleOptions,
): Promise<ConsoleSession> {
  const fds = handle.current.metadata?.fds;
  if (!fds?.control || !fds["0"]) throw new ExecError(`console: operation ${handle.id} has no websocket secrets`);
  const target = { factory: deps.webSocket(remote), base: deps.baseUrl(remote), remote, id: handle.id, signal: options.signal };
  const { sockets, outputs } = await connectFds(target, fds, FDS, () => undefined);
  const [control, data] = sockets as [WebSocket, WebSocket];
  const output = outputs.get("0");
  if (!output) throw new ExecError(`console ${handle.id}: the data socket is missing`);
  // Detaching closes the data socket first and control only once LXD has ended the console (or
  // after a grace). LXD 5.0.2 crashes on the other order: a closed control socket makes it write
  // "\n\r" to the data socket while its console mirror may be writing output there (the echo of the
  // reset it sends on detach) — gorilla panics "concurrent write to websocket connection" and the
  // daemon exits (seen in our CI; instance_console.go). With the data socket closed first, the
  // mirror ends on its failed write before that "\n\r" is written.
  let detaching = false;
  const detach = () => {
    if (detaching) return;
    detaching = true;
    safeClose(data);
    const t = setTimeout(() => safeClose(control), DETACH_GRACE_MS);
    void handle
      .wait()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(t);
        safeClose(control);
      });
  };
  const closed = output.ended.then(() => {
    output.end(); // with or without the end-of-stream frame: the console is over
    detach();
    options.signal?.removeEventListener("abort", detach);
    handle.release();
  });
  options.signal?.addEventListener("abort", detach, { once: true });
  const send = controlSender(control, `console ${handle.id}`);
  const close = () => {
    detach();
    return closed;
  };
  return {
    operation: handle,
    readable: output.stream,
    // Closing the input detaches instead of closing the data socket, which also carries the output.
    writable: stdinStream(data, close),
    resize: (cols, rows) => sendResize(send, cols, rows),
    close,
    closed,
  };
}
