// Built-in commands of the virtual LXD: enough of a busybox for tests and demos.
import type { CommandHandler, MockProcess } from "./index.js";

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

/** `sh -c 'echo a; echo b >&2; cat; exit 3'`: `;`-separated echo, cat, sleep, exit, true, false. */
async function sh(p: MockProcess): Promise<number> {
  if (p.argv[1] !== "-c" || p.argv[2] === undefined) throw new CommandNotFound();
  let status = 0;
  for (const raw of p.argv[2].split(";")) {
    const stmt = raw.trim();
    if (stmt === "") continue;
    const [cmd, ...args] = stmt.split(/\s+/);
    if (cmd === "exit") return Number(args[0] ?? status);
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
  return status;
}

export const builtinCommands: Record<string, CommandHandler> = {
  true: () => 0,
  false: () => 1,
  echo: (p) => (p.stdout(`${p.argv.slice(1).join(" ")}\n`), 0),
  cat,
  sleep: (p) => sleep(Number(p.argv[1] ?? 0), p),
  sh,
  pwd: (p) => (p.stdout(`${p.cwd}\n`), 0),
  env: (p) => (p.stdout(Object.entries(p.environment).map(([k, v]) => `${k}=${v}\n`).join("")), 0),
  id: (p) => (p.stdout(`uid=${p.user} gid=${p.group}\n`), 0),
  stty: (p) => {
    if (p.argv[1] !== "size") return 0;
    if (!p.interactive) return (p.stderr("stty: standard input: Not a tty\n"), 1);
    p.stdout(`${p.size.height} ${p.size.width}\r\n`);
    return 0;
  },
};
