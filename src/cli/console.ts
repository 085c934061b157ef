// `lxd-fetch console`: the instance's console on this terminal, raw, resized with it, until
// Ctrl-a q (as `lxc console`); Ctrl-a Ctrl-a sends one Ctrl-a. The terminal is restored on every
// exit path. Without a terminal, stdin is piped through the same way (the end of stdin does not
// detach: only Ctrl-a q, a signal, or the console's own end does).
import { once } from "node:events";
import type { Lxd } from "../index.js";

const CTRL_A = 0x01;

export async function consoleCommand(lxd: Lxd, remote: string | undefined, instance: string): Promise<number> {
  const { stdin, stdout, stderr } = process;
  const size = () => ({ width: stdout.columns || 80, height: stdout.rows || 24 });
  const con = await lxd.console(remote, instance, stdout.isTTY ? size() : {});
  const raw = stdin.isTTY;
  const restore = () => {
    if (raw && stdin.isTTY) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  process.once("exit", restore);
  if (stdout.isTTY) stderr.write("To detach from the console, press: <ctrl>+a q\r\n");

  const onResize = () => void con.resize(size().width, size().height).catch(() => undefined);
  stdout.on("resize", onResize);
  const detach = () => void con.close();
  process.on("SIGINT", detach);
  process.on("SIGTERM", detach);

  const writer = con.writable.getWriter();
  let escaped = false;
  const onData = (chunk: Buffer) => {
    const keys: number[] = [];
    for (const b of chunk) {
      if (escaped) {
        escaped = false;
        if (b === 0x71 /* q */) return detach();
        if (b !== CTRL_A) keys.push(CTRL_A);
        keys.push(b);
      } else if (b === CTRL_A) escaped = true;
      else keys.push(b);
    }
    if (keys.length === 0) return;
    stdin.pause();
    writer.write(new Uint8Array(keys)).then(
      () => stdin.resume(),
      () => undefined, // the console ended
    );
  };
  stdin.on("data", onData);
  stdin.resume();

  try {
    const reader = con.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (!stdout.write(r.value)) await once(stdout, "drain");
    }
    await con.closed;
    return 0;
  } finally {
    restore();
    process.removeListener("exit", restore);
    stdout.removeListener("resize", onResize);
    process.removeListener("SIGINT", detach);
    process.removeListener("SIGTERM", detach);
    stdin.removeListener("data", onData);
    stdin.pause();
    if (stdout.isTTY) stderr.write("\r\n");
  }
}
