// `lxd-fetch exec`: stdin, stdout and stderr piped through with backpressure, the exit code
// passed on; with a terminal, raw mode, window size at start and on resize, signals forwarded,
// and the terminal restored on every exit path.
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { ExecOptions, Lxd } from "../index.js";

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

async function pump(stream: ReadableStream<Uint8Array>, dest: Writable): Promise<void> {
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    if (!dest.write(r.value)) await once(dest, "drain");
  }
}

export async function execCommand(
  lxd: Lxd,
  remote: string | undefined,
  instance: string,
  argv: string[],
  o: ExecCliOptions,
): Promise<number> {
  const { stdin, stdout, stderr } = process;
  const size = () => ({ width: stdout.columns || 80, height: stdout.rows || 24 });
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

  const raw = o.tty && stdin.isTTY;
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  process.once("exit", restore); // even on an uncaught error or process.exit()

  const onResize = () => void proc.resize(size().width, size().height).catch(() => undefined);
  if (o.tty) stdout.on("resize", onResize);
  const forwarders = Object.entries(SIGNALS).map(([name, num]) => {
    const f = () => void proc.kill(num).catch(() => undefined);
    process.on(name, f);
    return [name, f] as const;
  });

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
    const [, , exit] = await Promise.all([pump(proc.stdout, stdout), pump(proc.stderr, stderr), proc.exited]);
    return exit.exitCode;
  } finally {
    restore();
    process.removeListener("exit", restore);
    stdout.removeListener("resize", onResize);
    for (const [name, f] of forwarders) process.removeListener(name, f);
    stdin.removeListener("data", onData);
    stdin.removeListener("end", onEnd);
    stdin.pause();
  }
}
