// Files of an instance (`/1.0/instances/{name}/files?path=`): contents are raw bytes both ways,
// streamed (a pull is read as it is consumed, a push is sent as it is produced), and metadata
// travels in LXD's X-LXD-* headers (Incus's X-Incus-*). Paths are checked before sending: no NUL, no `..`.
import type { ProjectOptions } from "./options.js";
import { classifyFailure, type Where } from "../request/pipeline.js";
import type { Args, Flat, Lead } from "./mutator.js";
import { type RequestContext, syncMetadata, unexpectedAnswer } from "../request/envelope.js";
import { FileInputError, FileTypeError, InvalidArgumentError } from "../utils/errors.js";
import { envelopeOf, type RawInit, type RawMethod, type RawSent, sendRaw } from "../request/raw.js";
import type { Pipeline } from "../request/pipeline.js";
import { checkInstanceCall, checkInt, checkText } from "../utils/validate.js";

export type FileType = "file" | "directory" | "symlink";

export interface FileStat {
  type: FileType;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  uid: number;
  gid: number;
  /** LXD's `X-LXD-modified` as it sends it (Go's time format), when it sends one. */
  modified: string | undefined;
}

export interface PulledFile extends FileStat {
  /** The contents as they arrive; a symlink's is its target, a directory's is empty. */
  stream: ReadableStream<Uint8Array>;
  /** The length LXD announced (Content-Length), when it did. */
  size: number | undefined;
  /** A directory's entry names. */
  entries: string[] | undefined;
}

export type FileCallOptions = ProjectOptions;

export interface FileOwnerOptions extends FileCallOptions {
  uid?: number;
  gid?: number;
}

export interface PushOptions extends FileOwnerOptions {
  /** Permission bits, e.g. 0o644. LXD applies mode, uid and gid only when it creates the file. */
  mode?: number;
  /** `overwrite` (default) truncates; `append` adds to the end. */
  write?: "overwrite" | "append";
}

export interface MkdirOptions extends FileOwnerOptions {
  /** Permission bits; LXD's default is 0o750. */
  mode?: number;
}

/** Bytes to push: streamed as they come when a ReadableStream. */
export type FileData = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array>;

export interface FilesApi<L extends Lead = Flat> {
  /** The file's contents as a stream, with its type, mode and owner from LXD's headers. */
  pull(...a: Args<L, [instance: string, path: string, options?: FileCallOptions]>): Promise<PulledFile>;
  /** Writes `data` to the file (created with `mode`/`uid`/`gid` when new). */
  push(...a: Args<L, [instance: string, path: string, data: FileData, options?: PushOptions]>): Promise<void>;
  /** A directory's entry names. */
  list(...a: Args<L, [instance: string, path: string, options?: FileCallOptions]>): Promise<string[]>;
  /** Type, mode and owner, without the contents (HEAD). */
  stat(...a: Args<L, [instance: string, path: string, options?: FileCallOptions]>): Promise<FileStat>;
  /** Removes a file, a symlink or an empty directory. */
  delete(...a: Args<L, [instance: string, path: string, options?: FileCallOptions]>): Promise<void>;
  /** Creates a directory (nothing happens when it exists). */
  mkdir(...a: Args<L, [instance: string, path: string, options?: MkdirOptions]>): Promise<void>;
  /** Creates a symlink at `path` pointing to `target`. */
  symlink(...a: Args<L, [instance: string, path: string, target: string, options?: FileOwnerOptions]>): Promise<void>;
}

const PATH = "/1.0/instances/{name}/files" as const;

/** An absolute path in the instance: no NUL, no `..` segment (the server would resolve it). */
export function checkFilePath(where: string, path: unknown): string {
  const p = checkText(where, "path", path, { empty: false });
  if (p.split("/").includes("..")) throw new InvalidArgumentError(`${where}: path ${JSON.stringify(p)} must not contain ".."`);
  return p.startsWith("/") ? p : `/${p}`;
}

function checkCall(where: string, instance: unknown, path: unknown, options: FileCallOptions | undefined) {
  return { o: checkInstanceCall(where, instance, options), path: checkFilePath(where, path) };
}

function checkOwner(where: string, o: FileOwnerOptions & { mode?: number }): Record<string, string> {
  checkInt(where, "uid", o.uid, 0, 0xffffffff);
  checkInt(where, "gid", o.gid, 0, 0xffffffff);
  checkInt(where, "mode", o.mode, 0, 0o7777);
  return {
    ...(o.uid !== undefined && { uid: String(o.uid) }),
    ...(o.gid !== undefined && { gid: String(o.gid) }),
    // A leading 0: LXD reads the mode with Atoi, then as octal.
    ...(o.mode !== undefined && { mode: `0${o.mode.toString(8)}` }),
  };
}

const params = (instance: string, path: string, project: string | undefined) => ({
  path: { name: instance },
  query: { path, ...(project !== undefined && { project }) },
});

/** LXD's `X-LXD-<name>` header, or Incus's `X-Incus-<name>` (Incus renamed them). */
const fileHeader = (headers: Headers, name: string) => headers.get(`x-lxd-${name}`) ?? headers.get(`x-incus-${name}`);

function statOf(sent: RawSent): FileStat {
  const { headers } = sent.response;
  const num = (h: string, radix: number) => {
    const v = fileHeader(headers, h);
    return v === null || v === "" ? -1 : Number.parseInt(v, radix);
  };
  const type = fileHeader(headers, "type");
  if (type !== "file" && type !== "directory" && type !== "symlink") {
    const answer = { ctx: sent.ctx, status: sent.response.status, headers };
    throw unexpectedAnswer(answer, `no file type in X-LXD-type or X-Incus-type (got ${JSON.stringify(type)})`);
  }
  return {
    type,
    mode: num("mode", 8),
    uid: num("uid", 10),
    gid: num("gid", 10),
    modified: fileHeader(headers, "modified") ?? undefined,
  };
}

/** The metadata headers under both servers' names: each reads its own and ignores the other's. */
function fileHeaders(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    out[`X-LXD-${k}`] = v;
    out[`X-Incus-${k}`] = v;
  }
  return out;
}

/** The response body, read only as it is consumed, with failures as typed errors. */
function guarded(
  ctx: RequestContext,
  body: ReadableStream<Uint8Array> | null,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  if (!body) return new ReadableStream({ start: (c) => c.close() });
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        try {
          const r = await reader.read();
          if (r.done) c.close();
          else c.enqueue(r.value);
        } catch (err) {
          c.error(classifyFailure(ctx, err, signal));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** The bytes to send; a stream is counted as it goes so a failure can say how far it got. */
function bodyOf(where: string, data: FileData): { body: Uint8Array | ReadableStream<Uint8Array> | Blob; failed(): unknown } {
  if (typeof data === "string") return { body: new TextEncoder().encode(data), failed: () => undefined };
  if (data instanceof ArrayBuffer) return { body: new Uint8Array(data), failed: () => undefined };
  if (ArrayBuffer.isView(data)) return { body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), failed: () => undefined };
  if (typeof Blob !== "undefined" && data instanceof Blob) return { body: data, failed: () => undefined };
  if (!(data instanceof ReadableStream))
    throw new InvalidArgumentError(
      `${where}: data must be a string, bytes, a Blob or a ReadableStream (got ${data === null ? "null" : typeof data})`,
    );
  if (data.locked) throw new InvalidArgumentError(`${where}: the data stream is locked (it already has a reader)`);
  let bytes = 0;
  let failure: FileInputError | undefined;
  const reader = data.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (err) {
          failure = new FileInputError(where, bytes, err);
          c.error(failure);
          return;
        }
        if (r.done) return c.close();
        bytes += r.value.byteLength;
        c.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return { body, failed: () => failure };
}

export function createFiles(pipeline: Pipeline): FilesApi {
  const send = (where: Where, method: RawMethod, init: RawInit<typeof PATH>) => sendRaw(pipeline, where, method, PATH, init);
  const done = async (sent: RawSent, signal?: AbortSignal) => void syncMetadata(await envelopeOf(sent, signal));

  return {
    async pull(remote, instance, path, options) {
      const { o, path: p } = checkCall("files.pull", instance, path, options);
      const sent = await send(remote, "GET", { params: params(instance, p, o.project), signal: o.signal, streamed: true });
      const stat = statOf(sent);
      if (stat.type === "directory") {
        const entries = await listing(sent, o.signal);
        return { ...stat, entries, size: undefined, stream: guarded(sent.ctx, null, o.signal) };
      }
      const length = sent.response.headers.get("content-length");
      return {
        ...stat,
        entries: undefined,
        size: length === null ? undefined : Number(length),
        stream: guarded(sent.ctx, sent.response.body, o.signal),
      };
    },
    async push(remote, instance, path, data, options) {
      const { o, path: p } = checkCall("files.push", instance, path, options);
      const owner = checkOwner("files.push", o as PushOptions);
      const write = (o as PushOptions).write;
      if (write !== undefined && write !== "overwrite" && write !== "append")
        throw new InvalidArgumentError(`files.push: write must be "overwrite" or "append" (got ${JSON.stringify(write)})`);
      const { body, failed } = bodyOf("files.push", data);
      const headers = {
        "content-type": "application/octet-stream",
        ...fileHeaders({ type: "file", write: write ?? "overwrite", ...owner }),
      };
      let sent: RawSent;
      try {
        sent = await send(remote, "POST", { params: params(instance, p, o.project), body, headers, signal: o.signal, streamed: true });
      } catch (err) {
        throw failed() ?? err; // the input's own failure says more than the dropped request
      }
      await done(sent, o.signal);
    },
    async list(remote, instance, path, options) {
      const { o, path: p } = checkCall("files.list", instance, path, options);
      const sent = await send(remote, "GET", { params: params(instance, p, o.project), signal: o.signal });
      const type = fileHeader(sent.response.headers, "type") ?? "";
      if (type !== "directory") {
        // Not awaited: the body is dropped, not drained (a cancel can wait on the peer).
        void sent.response.body?.cancel().catch(() => undefined);
        throw new FileTypeError("files.list", p, type, "directory");
      }
      return listing(sent, o.signal);
    },
    async stat(remote, instance, path, options) {
      const { o, path: p } = checkCall("files.stat", instance, path, options);
      const sent = await send(remote, "HEAD", { params: params(instance, p, o.project), signal: o.signal });
      return statOf(sent);
    },
    async delete(remote, instance, path, options) {
      const { o, path: p } = checkCall("files.delete", instance, path, options);
      await done(await send(remote, "DELETE", { params: params(instance, p, o.project), signal: o.signal }), o.signal);
    },
    async mkdir(remote, instance, path, options) {
      const { o, path: p } = checkCall("files.mkdir", instance, path, options);
      const headers = fileHeaders({ type: "directory", ...checkOwner("files.mkdir", o as MkdirOptions) });
      await done(await send(remote, "POST", { params: params(instance, p, o.project), headers, signal: o.signal }), o.signal);
    },
    async symlink(remote, instance, path, target, options) {
      const { o, path: p } = checkCall("files.symlink", instance, path, options);
      checkText("files.symlink", "target", target, { empty: false });
      const headers = {
        "content-type": "application/octet-stream",
        ...fileHeaders({ type: "symlink", ...checkOwner("files.symlink", o) }),
      };
      const body = new TextEncoder().encode(target);
      await done(await send(remote, "POST", { params: params(instance, p, o.project), body, headers, signal: o.signal }), o.signal);
    },
  };
}

async function listing(sent: RawSent, signal: AbortSignal | undefined): Promise<string[]> {
  return (syncMetadata(await envelopeOf(sent, signal)) as string[] | null) ?? [];
}
