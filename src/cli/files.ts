// `lxd-fetch file push|pull`: streamed both ways (never a whole file in memory), `-` for stdin or
// stdout, a progress line on stderr when it is a terminal. Like `lxc file push`, a pushed file
// takes the source's permission bits unless --mode says otherwise. The bytes go straight between
// the local file and the library's stream, and their garbage is collected as they go
// (young-garbage.ts): a 1 GiB copy stays near the memory of a small one (docs/files-memory.md).
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { InvalidArgumentError } from "../utils/errors.js";
import type { Lxd, PushOptions } from "../index.js";
import { progress } from "./progress.js";
import { ownsChunks, transferMode } from "./runtime.js";
import { collectEvery } from "./young-garbage.js";

export interface FileCliOptions {
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Bytes read from a local file per chunk: fewer, larger chunks cost less per byte to pass on. */
const CHUNK = 256 * 1024;
/** Young garbage is collected after this many bytes, not at V8's 32 MiB. */
const COLLECT_EVERY = 2 * 1024 * 1024;

/** `[R:]<instance>/<path>` → instance and absolute path. */
export function instancePath(target: string, usage: string): { instance: string; path: string } {
  const i = target.indexOf("/");
  if (i <= 0 || i === target.length - 1) throw new InvalidArgumentError(`${usage}: want <instance>/<path>, got ${JSON.stringify(target)}`);
  return { instance: target.slice(0, i), path: target.slice(i) };
}

/** The next chunk of a local source, or undefined at its end. */
type NextChunk = () => Promise<Uint8Array | undefined>;

/**
 * A local file, read with plain read(2) calls: a CLI has nothing else to run meanwhile, and a
 * thread-pool round trip per chunk cost a third more CPU (docs/files-memory.md). Each chunk is a
 * fresh buffer: the one sent before may still be on its way to the socket.
 */
function fileChunks(fd: number): NextChunk {
  // Where the transport has written a chunk out before it asks for the next (runtime-bun.ts), one
  // buffer serves them all: nothing is left for the collector.
  const reused = ownsChunks() ? Buffer.allocUnsafeSlow(CHUNK) : undefined;
  return async () => {
    const buf = reused ?? Buffer.allocUnsafeSlow(CHUNK);
    const n = readSync(fd, buf, 0, CHUNK, null);
    return n === 0 ? undefined : n === CHUNK ? buf : buf.subarray(0, n);
  };
}

function streamChunks(input: NodeJS.ReadableStream): NextChunk {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return async () => {
    const r = await chunks.next();
    return r.done ? undefined : r.value;
  };
}

/** A local byte source as a stream that reads only when pulled (the library's backpressure). */
function source(next: NextChunk, counted: (bytes: number) => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const chunk = await next();
        if (!chunk) return c.close();
        counted(chunk.byteLength);
        c.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

export async function filePush(lxd: Lxd, remote: string | undefined, src: string, target: string, o: FileCliOptions): Promise<number> {
  let { instance, path } = instancePath(target, "file push");
  transferMode();
  const fromStdin = src === "-";
  const info = fromStdin ? undefined : await stat(src);
  if (info?.isDirectory()) throw new InvalidArgumentError(`file push: ${src} is a directory`);
  if (path.endsWith("/")) {
    if (fromStdin) throw new InvalidArgumentError("file push: a target directory needs a source file name, not -");
    path += basename(src);
  }
  const options: PushOptions = {
    ...((o.mode ?? info?.mode) !== undefined && { mode: o.mode ?? info!.mode & 0o7777 }),
    ...(o.uid !== undefined && { uid: o.uid }),
    ...(o.gid !== undefined && { gid: o.gid }),
  };
  const fd = fromStdin ? undefined : openSync(src, "r");
  const shown = progress(`push ${target}`, info?.size);
  const collect = collectEvery(COLLECT_EVERY);
  const counted = (n: number) => {
    shown.add(n);
    collect(n);
  };
  try {
    const next = fd === undefined ? streamChunks(process.stdin) : fileChunks(fd);
    await lxd.files.push(remote, instance, path, source(next, counted), options);
  } finally {
    if (fd !== undefined) closeSync(fd);
    else process.stdin.destroy(); // after a failure, unread input would keep the process alive
  }
  shown.end();
  return 0;
}

/** Where pulled bytes go: a local file, or stdout (left open). */
interface Sink {
  /** Resolves once the chunk is handed over (stdout), or at once (a file, written before it returns). */
  write(chunk: Uint8Array): Promise<void> | undefined;
  close(): void;
}

/** A local file, written with plain write(2) calls, for the reason fileChunks reads so. */
function fileSink(fd: number): Sink {
  const owned = ownsChunks();
  return {
    write(chunk) {
      // A write may take less than it was given (a full disk says so on the next one).
      for (let at = 0; at < chunk.byteLength; ) at += writeSync(fd, chunk, at, chunk.byteLength - at);
      if (owned) release(chunk);
      return undefined;
    },
    close: () => closeSync(fd),
  };
}

/**
 * Frees a written chunk now where it is this process's alone (runtime-bun.ts): detaching its
 * buffer (`transfer(0)`) releases the memory at once, where JavaScriptCore's young collections
 * left such chunks for a full one (a 256 MiB pull: 61.5 MiB peak without, 45.3 MiB with;
 * docs/files-memory.md).
 * Only a chunk that spans its whole buffer, so no other view of it is cut short.
 */
function release(chunk: Uint8Array): void {
  const { buffer } = chunk;
  if (chunk.byteOffset === 0 && chunk.byteLength === buffer.byteLength && transferable(buffer)) buffer.transfer(0);
}

/** ArrayBuffer.prototype.transfer (ES2024: Bun has it; this project's TypeScript lib predates it). */
function transferable(buffer: ArrayBufferLike): buffer is ArrayBuffer & { transfer(length: number): ArrayBuffer } {
  return buffer instanceof ArrayBuffer && "transfer" in buffer;
}

function stdoutSink(): Sink {
  let failed: Error | undefined;
  const onError = (e: Error) => {
    failed ??= e;
  };
  process.stdout.on("error", onError);
  return {
    // The callback comes once the chunk is handed over: at most one chunk waits in stdout.
    write: (chunk) =>
      new Promise<void>((ok, ko) => {
        if (failed) return ko(failed);
        process.stdout.write(chunk, (e) => (e ? ko(e) : ok()));
      }),
    close: () => void process.stdout.off("error", onError),
  };
}

export async function filePull(lxd: Lxd, remote: string | undefined, source: string, dst: string): Promise<number> {
  const { instance, path } = instancePath(source, "file pull");
  transferMode();
  const file = await lxd.files.pull(remote, instance, path);
  const reader = file.stream.getReader();
  let sink: Sink | undefined;
  try {
    if (file.type === "directory") throw new InvalidArgumentError(`file pull: ${source} is a directory`);
    if (dst === "-") sink = stdoutSink();
    else {
      const isDir = await stat(dst).then(
        (s) => s.isDirectory(),
        () => false,
      );
      sink = fileSink(openSync(isDir ? join(dst, basename(path)) : dst, "w", file.mode >= 0 ? file.mode : 0o644));
    }
    const shown = progress(`pull ${source}`, file.size);
    const collect = collectEvery(COLLECT_EVERY);
    // One chunk handed over while the next is read.
    let writing: Promise<void> | undefined;
    for (;;) {
      const r = await reader.read();
      await writing;
      if (r.done) break;
      shown.add(r.value.byteLength);
      collect(r.value.byteLength);
      writing = sink.write(r.value);
      writing?.catch(() => undefined); // awaited above, after the next read
    }
    shown.end();
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  } finally {
    sink?.close();
  }
  return 0;
}
