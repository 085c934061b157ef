// run(): exec with the input written and the output collected, for commands that are not
// interactive sessions.
import type { Where } from "../../request/pipeline.js";
import { concatBytes } from "../../utils/bytes.js";
import { ExecInputError, InvalidArgumentError } from "../../utils/errors.js";
import { exec, type ExecDeps, type ExecExit, type ExecOptions } from "./exec.js";
import { runRecorded } from "./exec-record.js";
import { checkOptions } from "../../utils/validate.js";

/** How run() gets the output: see RunOptions.output. */
export type RunOutput = "auto" | "record" | "stream";

export interface RunOptions extends ExecOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>;
  /**
   * `"record"`: the server writes the output to files that are read and deleted once the command
   * ended (no websocket, so none of the servers' stream-tail losses; no stdin, and an abort stops
   * the waiting, not the command). `"stream"`: over the exec websockets. `"auto"` (default):
   * record, unless there is `input`, `interactive` or a `signal`. docs/exec-output.md says why.
   */
  output?: RunOutput;
}

export interface RunResult extends ExecExit {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** The path the output took. */
  output: "record" | "stream";
  /** Recorded output files the server still has, because deleting them failed; absent when none. */
  leftover?: string[];
  /** The output decoded as UTF-8. */
  text(stream?: "stdout" | "stderr"): string;
}

export async function run(deps: ExecDeps, remote: Where, instance: string, command: string[], options?: RunOptions): Promise<RunResult> {
  const { input, output = "auto", ...execOptions } = checkOptions("run", options);
  const bytes = inputBytes(input);
  const decoder = new TextDecoder();
  if (chooseRecord(output, input, execOptions)) {
    const r = await runRecorded(deps, remote, instance, command, execOptions);
    return { ...r, output: "record", text: (s = "stdout") => decoder.decode(s === "stdout" ? r.stdout : r.stderr) };
  }
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
  return { ...exit, stdout, stderr, output: "stream", text: (s = "stdout") => decoder.decode(s === "stdout" ? stdout : stderr) };
}

/** Whether the output is recorded; a recorded run has no stdin and no terminal, so asking for one with them is refused. */
function chooseRecord(output: unknown, input: RunOptions["input"], o: ExecOptions): boolean {
  if (output === "stream") return false;
  if (output === "auto") return input === undefined && !o.interactive && o.signal === undefined;
  if (output !== "record")
    throw new InvalidArgumentError(`run: output must be "auto", "record" or "stream" (got ${JSON.stringify(output)})`);
  if (input !== undefined) throw new InvalidArgumentError('run: output "record" gives the command no stdin, so it takes no input');
  if (o.interactive)
    throw new InvalidArgumentError('run: output "record" cannot be interactive (the server records only separate streams)');
  return true;
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
