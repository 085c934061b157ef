// `lxd-fetch file push|pull`: streamed both ways (never a whole file in memory), `-` for stdin or
// stdout, a progress line on stderr when it is a terminal. Like `lxc file push`, a pushed file
// takes the source's permission bits unless --mode says otherwise.
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvalidArgumentError } from "../utils/errors.js";
import type { Lxd, PushOptions } from "../index.js";
import { progress } from "./progress.js";

export interface FileCliOptions {
  mode?: number;
  uid?: number;
  gid?: number;
}

/** `[R:]<instance>/<path>` → instance and absolute path. */
export function instancePath(target: string, usage: string): { instance: string; path: string } {
  const i = target.indexOf("/");
  if (i <= 0 || i === target.length - 1) throw new InvalidArgumentError(`${usage}: want <instance>/<path>, got ${JSON.stringify(target)}`);
  return { instance: target.slice(0, i), path: target.slice(i) };
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
  const input = fromStdin ? process.stdin : createReadStream(src);
  const counted = input.pipe(progress(`push ${target}`, info?.size));
  input.on("error", (e: Error) => counted.destroy(e));
  await lxd.files.push(remote, instance, path, Readable.toWeb(counted) as ReadableStream<Uint8Array>, options);
  return 0;
}

export async function filePull(lxd: Lxd, remote: string | undefined, source: string, dst: string): Promise<number> {
  const { instance, path } = instancePath(source, "file pull");
  const file = await lxd.files.pull(remote, instance, path);
  if (file.type === "directory") {
    await file.stream.cancel();
    throw new InvalidArgumentError(`file pull: ${source} is a directory`);
  }
  let out: Writable = process.stdout;
  if (dst !== "-") {
    const isDir = await stat(dst).then(
      (s) => s.isDirectory(),
      () => false,
    );
    out = createWriteStream(isDir ? join(dst, basename(path)) : dst, { mode: file.mode >= 0 ? file.mode : 0o644 });
  }
  await pipeline(
    Readable.fromWeb(file.stream as import("node:stream/web").ReadableStream<Uint8Array>),
    progress(`pull ${source}`, file.size),
    out,
    {
      end: dst !== "-",
    },
  );
  return 0;
}
