// run(): exec with the input written and the output collected, for commands that are not
// interactive sessions.
import type { Where } from "../../request/pipeline.js";
import { concatBytes } from "../../utils/bytes.js";
import { ExecInputError, InvalidArgumentError } from "../../utils/errors.js";
import { exec, type ExecDeps, type ExecExit, type ExecOptions } from "./exec.js";
import { checkOptions } from "../../utils/validate.js";

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

export async function run(deps: ExecDeps, remote: Where, instance: string, command: string[], options?: RunOptions): Promise<RunResult> {
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
