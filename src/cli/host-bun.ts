// host.ts for the native command (scripts/build-native.mjs puts this file in its place): the same
// reads through Bun's own API, which is native code, where Bun's node:fs, node:os, node:path and
// process.stdin/stdout are JavaScript modules that cost a short command about 9 MiB of peak
// memory (docs/native-cli.md). Paths are POSIX: the native command is built for Linux and macOS.
import type { PlainStdio } from "./plain-stdio.js";

export type { PlainStdio } from "./plain-stdio.js";

/** The part of Bun's API this file uses. */
interface BunFileStat {
  isCharacterDevice(): boolean;
  rdev: number;
}
interface BunFile {
  stat(): Promise<BunFileStat>;
  exists(): Promise<boolean>;
  readonly size: number;
  text(): Promise<string>;
  stream(): ReadableStream<Uint8Array>;
  writer(): { write(chunk: Uint8Array): number; flush(): number | Promise<number> };
}
interface BunApi {
  file(path: string): BunFile;
  stdin: BunFile;
  stdout: BunFile;
  stderr: BunFile;
}
const bun = () => (globalThis as unknown as { Bun: BunApi }).Bun;

/**
 * Whether something is at `path`, as node:fs's existsSync says. A BunFile's size is 0 for nothing
 * there (and for an empty file: `exists()` tells those apart), Infinity for a socket and the
 * entry's size for a folder, where `exists()` says false; node:fs's stat would load node:fs.
 */
export async function pathExists(path: string): Promise<boolean> {
  const file = bun().file(path);
  return file.size !== 0 || (await file.exists());
}

/** A text file's contents. On failure node:fs tries again, so the error says what it says under Node. */
export const readText = (path: string): Promise<string> =>
  bun()
    .file(path)
    .text()
    .catch(() => process.getBuiltinModule("node:fs").readFileSync(path, "utf8"));

/** $HOME, as node:os's homedir() takes it; the password database only without it. */
export const homeDir = (): string => process.env.HOME || process.getBuiltinModule("node:os").homedir();

/** node:path's POSIX join: the parts joined by "/", then `.`, `..` and repeated slashes resolved. */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join("/");
  if (joined === "") return ".";
  const absolute = joined.startsWith("/");
  const trailing = joined.endsWith("/");
  const out: string[] = [];
  for (const segment of joined.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") out.push(segment);
    else if (out.length > 0 && out.at(-1) !== "..") out.pop();
    else if (!absolute) out.push("..");
  }
  const path = out.join("/");
  if (path === "") return absolute ? "/" : trailing ? "./" : ".";
  return `${absolute ? "/" : ""}${path}${trailing ? "/" : ""}`;
}

/** Linux's memory devices (/dev/null, /dev/zero, …): character devices that are never terminals. */
const MEM_MAJOR = 1;
/** Whether an open file may be a terminal: only a character device other than /dev/null and its kin can be. */
async function mayBeTerminal(file: BunFile): Promise<boolean> {
  try {
    const s = await file.stat();
    return s.isCharacterDevice() && ((s.rdev >> 8) & 0xfff) !== MEM_MAJOR;
  } catch {
    return true; // no answer: ask the exact way
  }
}

/**
 * Whether stdin and stdout are both terminals. The exact answer needs process.stdin/stdout, which
 * Bun builds from node:tty and node:net; a pipe, a file or /dev/null is told apart by stat alone.
 */
export async function stdioIsTerminal(): Promise<boolean> {
  const [inMay, outMay] = await Promise.all([mayBeTerminal(bun().stdin), mayBeTerminal(bun().stdout)]);
  return inMay && outMay && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

export function plainStdio(): PlainStdio {
  const sinks = new Map<1 | 2, ReturnType<BunFile["writer"]>>();
  return {
    readInput(send) {
      const reader = bun().stdin.stream().getReader();
      let stopped = false;
      const ended = (async () => {
        for (let r = await reader.read(); !r.done && !stopped; r = await reader.read()) await send(r.value);
      })();
      const stop = () => {
        stopped = true;
        // Releases stdin, so a command that ended before its input does not keep the CLI waiting.
        reader.cancel().catch(() => undefined);
      };
      return { ended, stop };
    },
    async write(fd, chunk) {
      let sink = sinks.get(fd);
      if (!sink) {
        sink = (fd === 1 ? bun().stdout : bun().stderr).writer();
        sinks.set(fd, sink);
      }
      sink.write(chunk);
      await sink.flush();
    },
  };
}
