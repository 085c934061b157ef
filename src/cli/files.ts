// `lxd-fetch file push|pull`: streamed both ways (never a whole file in memory), `-` for stdin or
// stdout, a progress line on stderr when it is a terminal. Like `lxc file push`, a pushed file
// takes the source's permission bits unless --mode says otherwise. The bytes go straight between
// the file and the library's stream, one chunk in flight, and their garbage is collected as they
// go (young-garbage.ts): a 1 GiB copy stays near the memory of a small one (docs/files-memory.md).
import { createReadStream } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { InvalidArgumentError } from "../errors.js";
import type { Lxd, PushOptions } from "../index.js";
import { progress } from "./progress.js";
import { collectEvery } from "./young-garbage.js";

export interface FileCliOptions {
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Bytes read from a local file per chunk: fewer, larger chunks cost less per byte to pass on. */
const CHUNK = 256 * 1024;
/** Young garbage is collected after this many bytes, not V8's 32 MiB. */
const COLLECT_EVERY = 2 * 1024 * 1024;

/** `[R:]<instance>/<path>` → instance and absolute path. */
export function instancePath(target: string, usage: string): { instance: string; path: string } {
  const i = target.indexOf("/");
  if (i <= 0 || i === target.length - 1) throw new InvalidArgumentError(`${usage}: want <instance>/<path>, got ${JSON.stringify(target)}`);
  return { instance: target.slice(0, i), path: target.slice(i) };
}

/** A local byte source as a stream that reads only when pulled (the library's backpressure). */
function source(input: NodeJS.ReadableStream, counted: (bytes: number) => void): ReadableStream<Uint8Array> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const r = await chunks.next();
        if (r.done) return c.close();
        counted(r.value.byteLength);
        c.enqueue(r.value);
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

export async function filePush(lxd: Lxd, remote: string | undefined, src: string, target: string, o: FileCliOptions): Promise<number> {
  let { instance, path } = instancePath(target, "file push");
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
  const input = fromStdin ? process.stdin : createReadStream(src, { highWaterMark: CHUNK });
  const shown = progress(`push ${target}`, info?.size);
  const collect = collectEvery(COLLECT_EVERY);
  const counted = (n: number) => {
    shown.add(n);
    collect(n);
  };
  try {
    await lxd.files.push(remote, instance, path, source(input, counted), options);
  } finally {
    if (!fromStdin) (input as import("node:fs").ReadStream).destroy();
  }
  shown.end();
  return 0;
}

/** Where pulled bytes go: a local file, or stdout (left open). */
interface Sink {
  write(chunk: Uint8Array): Promise<unknown>;
  close(): Promise<void>;
}

function fileSink(fh: FileHandle): Sink {
  return {
    async write(chunk) {
      // A write may take less than it was given (a full disk says so on the next one).
      for (let at = 0; at < chunk.byteLength; ) at += (await fh.write(chunk, at, chunk.byteLength - at)).bytesWritten;
    },
    close: () => fh.close(),
  };
}

function stdoutSink(): Sink {
  let failed: Error | undefined;
  const onError = (e: Error) => (failed ??= e);
  process.stdout.on("error", onError);
  return {
    // The callback comes once the chunk is handed over: at most one chunk waits in stdout.
    write: (chunk) =>
      new Promise<void>((ok, ko) => {
        if (failed) return ko(failed);
        process.stdout.write(chunk, (e) => (e ? ko(e) : ok()));
      }),
    close: async () => void process.stdout.off("error", onError),
  };
}

export async function filePull(lxd: Lxd, remote: string | undefined, source: string, dst: string): Promise<number> {
  const { instance, path } = instancePath(source, "file pull");
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
      sink = fileSink(await open(isDir ? join(dst, basename(path)) : dst, "w", file.mode >= 0 ? file.mode : 0o644));
    }
    const shown = progress(`pull ${source}`, file.size);
    const collect = collectEvery(COLLECT_EVERY);
    // One write in flight while the next chunk is read.
    let writing: Promise<unknown> = Promise.resolve();
    for (;;) {
      const r = await reader.read();
      await writing;
      if (r.done) break;
      shown.add(r.value.byteLength);
      collect(r.value.byteLength);
      writing = sink.write(r.value);
      writing.catch(() => undefined); // awaited above, after the next read
    }
    shown.end();
  } catch (err) {
    await reader.cancel(err).catch(() => undefined);
    throw err;
  } finally {
    await sink?.close();
  }
  return 0;
}
