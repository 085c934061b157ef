// One HTTP/1.1 request over a connection the Bun transport drives itself (bun-connect.ts), for
// long raw bodies (file contents). Bun's fetch buffers a response body as it arrives between
// reads, and those chunks wait for the collector: a 1 GiB pull peaked at 66 MiB where `lxc`
// needs 17 (docs/files-memory.md). Here the socket is paused while a chunk waits for its reader
// and resumed when the reader asks, and a request body is read one chunk at a time, each written
// out before the next is read: at most one socket read and one body chunk are held either way.
import { bunConnect, type BunTarget, type Connection } from "./bun-connect.js";
import { codedError } from "./common.js";
import { bodiless, chunkFrame, LAST_CHUNK, requestHead, type ResponseHead, ResponseParser } from "./http1.js";

type Body = { length: number | "chunked"; stream: ReadableStream<Uint8Array> } | { length: number; bytes: Uint8Array } | undefined;

function bodyOf(body: RequestInit["body"]): Body {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") {
    const bytes = new TextEncoder().encode(body);
    return { length: bytes.byteLength, bytes };
  }
  if (body instanceof ArrayBuffer) return { length: body.byteLength, bytes: new Uint8Array(body) };
  if (ArrayBuffer.isView(body)) return { length: body.byteLength, bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof Blob) return { length: body.size, stream: body.stream() };
  if (body instanceof ReadableStream) return { length: "chunked", stream: body as ReadableStream<Uint8Array> };
  throw new TypeError("this transport sends a body of bytes, a string, a Blob or a ReadableStream");
}

/** A Response whose body reads from the connection only when its reader asks. */
class PausedBody {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(private readonly conn: Connection) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        pull: async (c) => {
          while (this.chunks.length === 0 && !this.ended && this.failure === undefined) {
            const waited = new Promise<void>((resolve) => {
              this.wake = resolve;
            });
            conn.resume();
            await waited;
          }
          const chunk = this.chunks.shift();
          if (chunk) c.enqueue(chunk);
          else if (this.failure !== undefined) c.error(this.failure);
          else c.close();
        },
        cancel: () => conn.destroy(),
      },
      { highWaterMark: 0 },
    );
  }

  /** A chunk for the reader: the socket waits until it is taken. */
  add(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.conn.pause();
    this.woken();
  }

  end(): void {
    this.ended = true;
    this.woken();
  }

  fail(err: unknown): void {
    if (this.ended) return;
    this.failure ??= err;
    this.woken();
  }

  private woken(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Sends `init` to `url` over a new connection to `target` and resolves with the response once its
 * head arrived; the body follows as it is read. Any failure before the head rejects; after it,
 * the body stream errors: a body cut short is never a complete one.
 */
export async function bunSocketFetch(target: BunTarget, url: string, init: RequestInit = {}): Promise<Response> {
  const u = new URL(url);
  const method = (init.method ?? "GET").toUpperCase();
  const body = bodyOf(init.body);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  let settled = false;
  let answer!: { resolve(r: Response): void; reject(err: unknown): void };
  const answered = new Promise<Response>((resolve, reject) => {
    answer = { resolve, reject };
  });
  // A connection that fails while it opens (a refused certificate) also reports its close here,
  // with nobody awaiting yet: bunConnect's own rejection is the one that counts.
  answered.catch(() => undefined);
  let response: PausedBody | undefined;
  let conn: Connection | undefined;
  /** The first failure: rejects the fetch before the head, errors the body after it. */
  const fail = (err: unknown) => {
    conn?.destroy();
    if (!settled) {
      settled = true;
      answer.reject(err);
    }
    response?.fail(err);
  };
  const parser = new ResponseParser(
    {
      head: (head: ResponseHead) => {
        if (settled) return;
        // As fetch with `redirect: "error"` (transport/types.ts): never followed, never an answer.
        if (head.status >= 300 && head.status < 400)
          return fail(codedError(`the server answered a redirect (${head.status})`, "ERR_LXD_REDIRECT"));
        settled = true;
        if (!bodiless(method, head.status)) response = new PausedBody(conn!);
        answer.resolve(new Response(response?.stream ?? null, { status: head.status, statusText: head.statusText, headers: head.headers }));
      },
      body: (bytes) => response?.add(bytes),
      end: () => {
        response?.end();
        conn?.destroy();
      },
    },
    method,
  );
  conn = await bunConnect(target, {
    data: (bytes) => {
      if (parser.done) return;
      try {
        parser.push(bytes);
      } catch (err) {
        fail(err);
      }
    },
    closed: (error) => {
      if (parser.done) return;
      try {
        if (error) throw error;
        parser.close();
      } catch (err) {
        fail(err);
      }
    },
  });
  const onAbort = () => fail(signal!.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const connection = conn;
  const headers = new Headers(init.headers);
  connection.write(requestHead(method, u, headers, body?.length));
  if (body && "bytes" in body) connection.write(body.bytes);
  else if (body) void sendStream(connection, body.stream, body.length === "chunked", () => settled, fail);
  try {
    return await answered;
  } finally {
    // After the head, an abort still ends the body: the listener stays until the connection ends.
    if (!response) signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Writes the body one chunk at a time, reading the next only once the last left for the kernel.
 * Stops when the server answered before the end (an error status: the rest is not wanted).
 */
async function sendStream(
  conn: Connection,
  stream: ReadableStream<Uint8Array>,
  chunked: boolean,
  answered: () => boolean,
  fail: (err: unknown) => void,
): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (answered()) return void reader.cancel().catch(() => undefined);
      if (r.done) break;
      if (r.value.byteLength === 0) continue;
      if (chunked) for (const part of chunkFrame(r.value)) conn.write(part);
      else conn.write(r.value);
      await conn.drained();
    }
    if (chunked) conn.write(LAST_CHUNK);
  } catch (err) {
    fail(err);
  }
}
