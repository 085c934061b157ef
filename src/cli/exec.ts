// `lxd-fetch exec`: stdin, stdout and stderr piped through with backpressure, the exit code
// passed on; with a terminal, raw mode, window size at start and on resize, signals forwarded,
// and the terminal restored on every exit path. Without a terminal, the native command reads and
// writes the process's stdio through host.ts's plain streams instead of Node's stream objects.
import type { Writable } from "node:stream";
import type { ExecOptions, ExecProcess, Lxd } from "../index.js";
import { type PlainStdio, plainStdio } from "./host.js";

export interface ExecCliOptions {
  environment: Record<string, string>;
  cwd?: string;
  user?: number;
  group?: number;
  tty: boolean;
  project?: string;
}

// Signals a user can send the CLI itself, forwarded to the command (numbers as on Linux).
const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12 };

/** Each chunk of `stream` to `write`, the next read only once the last one was taken. */
async function pump(stream: ReadableStream<Uint8Array>, write: (chunk: Uint8Array) => Promise<void> | undefined): Promise<void> {
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) await write(r.value);
}

/** A Node stream as pump's `write`: waits for `drain` when the stream's buffer is full. */
const toWritable =
  (dest: Writable) =>
  (chunk: Uint8Array): Promise<void> | undefined =>
    dest.write(chunk) ? undefined : new Promise((resolve) => dest.once("drain", () => resolve()));

/** Forwards the signals in SIGNALS to the command; returns what removes the handlers. */
function forwardSignals(proc: ExecProcess): () => void {
  const forwarders = Object.entries(SIGNALS).map(([name, num]) => {
    const f = () => void proc.kill(num).catch(() => undefined);
    process.on(name, f);
    return [name, f] as const;
  });
  return () => {
    for (const [name, f] of forwarders) process.removeListener(name, f);
  };
}

/** Without a terminal, over plain stdio: the same piping, each chunk written before the next is read. */
async function execPlain(proc: ExecProcess, io: PlainStdio): Promise<number> {
  const unforward = forwardSignals(proc);
  const writer = proc.stdin.getWriter();
  // A write that fails means the command ended: reading stops (nothing more to send).
  const input = io.readInput((chunk) => writer.write(chunk));
  input.ended.then(
    () => writer.close().catch(() => undefined),
    () => undefined,
  );
  try {
    const [, , exit] = await Promise.all([pump(proc.stdout, (c) => io.write(1, c)), pump(proc.stderr, (c) => io.write(2, c)), proc.exited]);
    return exit.exitCode;
  } finally {
    unforward();
    input.stop();
  }
}

export async function execCommand(
  lxd: Lxd,
  remote: string | undefined,
  instance: string,
  argv: string[],
  o: ExecCliOptions,
): Promise<number> {
  const size = () => ({ width: process.stdout.columns || 80, height: process.stdout.rows || 24 });
  const options: ExecOptions = {
    interactive: o.tty,
    environment: o.environment,
    ...(o.cwd !== undefined && { cwd: o.cwd }),
    ...(o.user !== undefined && { user: o.user }),
    ...(o.group !== undefined && { group: o.group }),
    ...(o.project !== undefined && { project: o.project }),
    ...(o.tty && size()),
  };
  const proc = await lxd.exec(remote, instance, argv, options);
  const plain = o.tty ? undefined : plainStdio();
  if (plain) return execPlain(proc, plain);

  const { stdin, stdout, stderr } = process;
  const raw = o.tty && stdin.isTTY;
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  process.once("exit", restore); // even on an uncaught error or process.exit()

  const onResize = () => void proc.resize(size().width, size().height).catch(() => undefined);
  if (o.tty) stdout.on("resize", onResize);
  const unforward = forwardSignals(proc);

  const writer = proc.stdin.getWriter();
  const onData = (chunk: Buffer) => {
    stdin.pause();
    writer.write(chunk).then(
      () => stdin.resume(),
      () => undefined, // the command ended; nothing more to send
    );
  };
  const onEnd = () => void writer.close().catch(() => undefined);
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.resume();

  try {
    const [, , exit] = await Promise.all([pump(proc.stdout, toWritable(stdout)), pump(proc.stderr, toWritable(stderr)), proc.exited]);
    return exit.exitCode;
  } finally {
    restore();
    process.removeListener("exit", restore);
    stdout.removeListener("resize", onResize);
    unforward();
    stdin.removeListener("data", onData);
    stdin.removeListener("end", onEnd);
    stdin.pause();
  }
}
