// Built-in commands of the virtual LXD: enough of a busybox for tests and demos.
import { type Deferred, defer } from "../utils/defer.js";
import type { CommandHandler, MockProcess } from "./types.js";

/** Thrown by a command handler: the exec ends 127, "Command not found", as in LXD. */
export class CommandNotFound extends Error {}

async function cat(p: MockProcess): Promise<number> {
  for await (const chunk of p.stdin()) p.stdout(chunk);
  return 0;
}

function sleep(seconds: number, p: MockProcess): Promise<number> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(0), seconds * 1000);
    void p.signalled.then(() => clearTimeout(t));
  });
}

/** Runs `;`-separated statements (echo, exit, and the other commands); `$?` is the last status. */
async function script(text: string, p: MockProcess, status = 0): Promise<{ status: number; exit?: number }> {
  for (const raw of text.split(";")) {
    const stmt = raw.trim().replace(/\$\?/g, String(status));
    if (stmt === "") continue;
    const [cmd, ...args] = stmt.split(/\s+/);
    if (cmd === "exit") return { status, exit: Number(args[0] ?? status) };
    if (cmd === "echo") {
      const toErr = args.at(-1) === ">&2";
      const text = `${(toErr ? args.slice(0, -1) : args).join(" ").replace(/^['"]|['"]$/g, "")}\n`;
      if (toErr) p.stderr(text);
      else p.stdout(text);
      status = 0;
    } else {
      const handler = builtinCommands[cmd!];
      if (!handler) {
        p.stderr(`sh: ${cmd}: not found\n`);
        status = 127;
        continue;
      }
      status = await handler({ ...p, argv: [cmd!, ...args] });
    }
  }
  return { status };
}

/**
 * `sh` on a PTY (an interactive exec without -c): a prompt, typed bytes echoed, backspace, Enter
 * runs the line as `sh -c` would, Ctrl-C prints ^C (stopping a running command: status 130) and
 * a new prompt, Ctrl-D (stdin's end) exits with the last status. Output newlines become CRLF as
 * a PTY's onlcr makes them. The commands it runs get an empty stdin.
 */
async function interactiveSh(p: MockProcess): Promise<number> {
  const crlf = (d: string | Uint8Array) => (typeof d === "string" ? d.replace(/\r?\n/g, "\r\n") : d);
  const out = (d: string | Uint8Array) => p.stdout(crlf(d));
  const prompt = () => out(p.user === 0 ? "# " : "$ ");
  // Input, read as it comes; Ctrl-C while a command runs interrupts it instead of queueing.
  const queue: number[] = [];
  let eof = false;
  let wake: (() => void) | undefined;
  let interrupt: Deferred<number> | undefined;
  void (async () => {
    for await (const chunk of p.stdin()) {
      for (const b of chunk) {
        if (b === 3 && interrupt) interrupt.resolve(2);
        else queue.push(b);
      }
      wake?.();
    }
    eof = true;
    wake?.();
  })();
  const next = async (): Promise<number | undefined> => {
    while (queue.length === 0 && !eof) await new Promise<void>((r) => (wake = r));
    return queue.shift();
  };
  const noInput: MockProcess["stdin"] = async function* () {};
  let line: number[] = [];
  let status = 0;
  prompt();
  for (;;) {
    const b = await next();
    if (b === undefined) {
      out("exit\n");
      return status;
    }
    if (b === 3) {
      out("^C\n");
      (line = []), (status = 130);
      prompt();
    } else if (b === 0x7f || b === 0x08) {
      if (line.length === 0) continue;
      while (line.length > 0 && (line.at(-1)! & 0xc0) === 0x80) line.pop(); // a UTF-8 tail
      line.pop();
      out("\b \b");
    } else if (b === 0x1b) {
      // An escape sequence (arrow keys…): ESC [ params final, ignored.
      if ((await next()) === 0x5b) for (let c = await next(); c !== undefined && (c < 0x40 || c > 0x7e); c = await next());
    } else if (b === 0x0d || b === 0x0a) {
      out("\n");
      const text = new TextDecoder().decode(Uint8Array.from(line));
      line = [];
      interrupt = defer<number>();
      const interrupted = interrupt.promise;
      const child: MockProcess = {
        ...p,
        stdin: noInput,
        stdout: out,
        stderr: (d) => p.stderr(crlf(d)),
        signalled: Promise.race([p.signalled, interrupted]),
      };
      const r = await Promise.race([script(text, child, status), interrupted.then(() => (out("^C\n"), { status: 130, exit: undefined }))]);
      interrupt = undefined;
      if (r.exit !== undefined) return r.exit;
      status = r.status;
      prompt();
    } else if (b >= 0x20) {
      line.push(b);
      out(Uint8Array.of(b));
    }
  }
}

/** `sh -c 'echo a; echo b >&2; cat; exit 3'` (`;`-separated statements), or on a PTY without -c an interactive shell. */
async function sh(p: MockProcess): Promise<number> {
  if (p.argv[1] === "-c" && p.argv[2] !== undefined) {
    const r = await script(p.argv[2], p);
    return r.exit ?? r.status;
  }
  if (p.interactive && p.argv.slice(1).every((a) => /^-[il]+$/.test(a))) return interactiveSh(p);
  throw new CommandNotFound();
}

export const builtinCommands: Record<string, CommandHandler> = {
  true: () => 0,
  false: () => 1,
  echo: (p) => (p.stdout(`${p.argv.slice(1).join(" ")}\n`), 0),
  cat,
  sleep: (p) => sleep(Number(p.argv[1] ?? 0), p),
  sh,
  pwd: (p) => (p.stdout(`${p.cwd}\n`), 0),
  env: (p) => (
    p.stdout(
      Object.entries(p.environment)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(""),
    ),
    0
  ),
  id: (p) => (p.stdout(`uid=${p.user} gid=${p.group}\n`), 0),
  stty: (p) => {
    if (p.argv[1] !== "size") return 0;
    if (!p.interactive) return (p.stderr("stty: standard input: Not a tty\n"), 1);
    p.stdout(`${p.size.height} ${p.size.width}\r\n`);
    return 0;
  },
};
