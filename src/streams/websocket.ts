// WebSocket plumbing shared by events and exec, for any WHATWG WebSocket (browser, Deno, Bun,
// undici). Facts: LXD ends a stream with an empty text frame and then drops TCP without a close
// frame (1006; Deno says 0), so neither close code is an error here.
import { ConnectionError, redact } from "../utils/errors.js";
import type { SocketOptions } from "../transport/types.js";

/**
 * Makes a WebSocket for a ws:// or wss:// URL with the remote's connection settings; `headers`,
 * where the client has request hooks, gives the upgrade request's headers first.
 */
export type WebSocketFactory = ((url: string, options?: SocketOptions) => WebSocket) & {
  headers?: (url: string) => Promise<Record<string, string> | undefined>;
};

/** A socket that can stop reading (the Node transport's): flow control holds the server back. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export const pausable = (ws: WebSocket): Pausable | undefined =>
  typeof (ws as Partial<Pausable>).pause === "function" ? (ws as unknown as Pausable) : undefined;

/** A WebSocket constructor, e.g. `globalThis.WebSocket` (what MSW's WebSocket mocks replace). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export function wsUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/^http/, "ws") + path;
}

/**
 * Frame data as bytes. Runtimes differ (ArrayBuffer with binaryType "arraybuffer", a Buffer in
 * Bun, typed arrays from mocks); a Blob needs async reading, so it returns a promise.
 */
export function toBytes(data: unknown): Uint8Array | Promise<Uint8Array> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.arrayBuffer().then((b) => new Uint8Array(b));
  throw new TypeError(`unexpected websocket frame of type ${typeof data}`);
}

export interface OpenOptions {
  /** What the socket is for, in messages ("stdout", "events"). */
  label: string;
  remote: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Called with the new socket before it opens, to attach message listeners: a frame can be
   * dispatched before the caller's code runs again (LXD starts writing as soon as it accepts).
   */
  onCreate?: ((ws: WebSocket) => void) | undefined;
  socket?: SocketOptions | undefined;
}

/** Opens a socket and resolves once it is open; any failure closes it and rejects with a ConnectionError. */
export function openSocket(factory: WebSocketFactory, url: string, opts: OpenOptions): Promise<WebSocket> {
  if (!factory.headers) return open(factory, url, opts);
  return factory.headers(url).then((headers) => open(factory, url, { ...opts, socket: { ...opts.socket, headers } }));
}

function open(factory: WebSocketFactory, url: string, opts: OpenOptions): Promise<WebSocket> {
  const path = redact(new URL(url).pathname + new URL(url).search);
  // Runtimes put the URL, secret included, into their messages: only redacted text goes on.
  const fail = (detail: string, cause?: unknown) =>
    new ConnectionError(
      { method: "GET", path, remote: opts.remote, code: undefined, detail: redact(`${opts.label} websocket: ${detail}`) },
      cause === undefined ? undefined : { cause: sanitized(cause) },
    );
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = factory(url, opts.socket);
    } catch (err) {
      reject(fail(err instanceof Error ? err.message : String(err), err));
      return;
    }
    ws.binaryType = "arraybuffer";
    opts.onCreate?.(ws);
    const done = (err?: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      ws.removeEventListener("open", onOpen);
      ws.removeEventListener("error", onError);
      ws.removeEventListener("close", onClose);
      if (err) {
        safeClose(ws);
        reject(err);
      } else resolve(ws);
    };
    const onOpen = () => done();
    const onError = (e: Event) => done(fail(`failed to connect${errorDetail(e)}`, e));
    const onClose = (e: CloseEvent) => done(fail(`closed while connecting (code ${e.code}${e.reason ? `, ${e.reason}` : ""})`));
    const onAbort = () => done(fail("aborted", opts.signal?.reason));
    const timer = setTimeout(() => done(fail(`not open after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    ws.addEventListener("open", onOpen);
    ws.addEventListener("error", onError);
    ws.addEventListener("close", onClose);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function sanitized(cause: unknown): Error {
  const inner = (cause as { error?: unknown }).error ?? cause;
  const message = inner instanceof Error ? inner.message : (cause as { message?: unknown }).message;
  const err = new Error(redact(typeof message === "string" ? message : String(inner)));
  const code = (inner as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(err, { code });
  return err;
}

function errorDetail(e: Event): string {
  const err = (e as { error?: unknown; message?: unknown }).error ?? (e as { message?: unknown }).message;
  if (err instanceof Error) return `: ${err.message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ""}`;
  return typeof err === "string" && err ? `: ${err}` : "";
}

/** Closes without throwing, whatever state the socket is in. */
export function safeClose(ws: WebSocket, code = 1000): void {
  try {
    if (ws.readyState === 0 || ws.readyState === 1) ws.close(code);
  } catch {
    // Already closing; some runtimes throw on a second close.
  }
}
