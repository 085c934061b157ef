// HTTP/1.1 framing for requests a transport carries over a socket it drives itself (bun-http.ts):
// the request head, a body's chunked frames, and an incremental parser of the response that
// hands on body bytes as they arrive and knows when the body is complete. Runtime-neutral: no
// socket here, so the framing is tested on its own (test/http1.test.ts).
import { codedError } from "./common.js";

const MAX_HEAD = 64 * 1024;
const MAX_CHUNK_LINE = 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF = encoder.encode("\r\n");
/** The end of a chunked body (no trailers). */
export const LAST_CHUNK = encoder.encode("0\r\n\r\n");

/** Error code of a response that is not HTTP/1.1 as this parser reads it. */
export const BAD_RESPONSE = "ERR_LXD_BAD_RESPONSE";
/** Error code of a connection that closed before the response, or its body, was complete. */
export const CLOSED_EARLY = "ERR_LXD_CLOSED_EARLY";

// Framing is ours: a caller's header cannot say how long the body is, or keep the connection.
const OWN_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect", "upgrade"]);

/**
 * The request line and headers: the caller's headers (minus the framing ones, which are ours),
 * Host, and the body's framing: Content-Length when `length` is known, chunked when the body is a
 * stream of unknown length, none without a body. One request per connection (`Connection: close`).
 */
export function requestHead(method: string, url: URL, headers: Headers, length: number | "chunked" | undefined): Uint8Array {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  // A Headers object refuses CR and LF in names and values: no header can be injected.
  headers.forEach((value, name) => {
    if (!OWN_HEADERS.has(name)) head += `${name}: ${value}\r\n`;
  });
  if (length === "chunked") head += "Transfer-Encoding: chunked\r\n";
  else if (length !== undefined) head += `Content-Length: ${length}\r\n`;
  return encoder.encode(`${head}Connection: close\r\n\r\n`);
}

/** One chunk of a chunked body: size line, bytes, CRLF (three parts, so the bytes are not copied). */
export function chunkFrame(bytes: Uint8Array): Uint8Array[] {
  return [encoder.encode(`${bytes.byteLength.toString(16)}\r\n`), bytes, CRLF];
}

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: [string, string][];
}

/** What the parser reports, in order: the head once, body bytes, then the end once. */
export interface ResponseEvents {
  head(head: ResponseHead): void;
  body(bytes: Uint8Array): void;
  end(): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

/** An answer with no body whatever its headers say: to HEAD, or 204 / 304 (RFC 9112 6.3). */
export const bodiless = (method: string, status: number): boolean => method === "HEAD" || status === 204 || status === 304;

const badResponse = (why: string) => codedError(`the server's answer is not valid HTTP/1.1: ${why}`, BAD_RESPONSE);

/**
 * Reads a response as its bytes come (`push`), then `close()` at the connection's end. A malformed
 * response throws from `push`; a connection closed before the end of the head or of the body
 * throws from `close`: a partial body is never reported as complete.
 */
export class ResponseParser {
  private state = State.Head;
  private held: Uint8Array = new Uint8Array(0);
  private remaining = 0;

  /** `method`: a HEAD request's answer has no body whatever its headers say. */
  constructor(
    private readonly events: ResponseEvents,
    private readonly method: string,
  ) {}

  /** True once the whole response was read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  push(data: Uint8Array): void {
    let buf = this.held.length > 0 ? join(this.held, data) : data;
    this.held = new Uint8Array(0);
    while (buf.length > 0 && this.state !== State.Done) {
      switch (this.state) {
        case State.Head: {
          const end = indexOfHeadEnd(buf);
          if (end < 0) {
            if (buf.length > MAX_HEAD) throw badResponse("the head is too large");
            this.held = buf.slice();
            return;
          }
          const informational = this.head(decoder.decode(buf.subarray(0, end)));
          buf = buf.subarray(end + 4);
          if (informational) continue;
          break;
        }
        case State.UntilClose:
          this.events.body(buf);
          return;
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailers: {
          const eol = indexOfCrlf(buf);
          if (eol < 0) {
            if (buf.length > MAX_CHUNK_LINE) throw badResponse("a chunk's size line is too long");
            this.held = buf.slice();
            return;
          }
          const line = decoder.decode(buf.subarray(0, eol));
          buf = buf.subarray(eol + 2);
          this.line(line);
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length);
          this.remaining -= n;
          this.events.body(buf.subarray(0, n));
          buf = buf.subarray(n);
          if (this.remaining > 0) break;
          if (this.state === State.Length) this.finish();
          else this.state = State.ChunkEnd;
          break;
        }
      }
    }
    if (buf.length > 0) throw badResponse("bytes after the end of the response");
  }

  /** The connection ended: completes a body read until the close, else fails if anything is missing. */
  close(): void {
    if (this.state === State.Done) return;
    if (this.state === State.UntilClose) return this.finish();
    const what = this.state === State.Head ? "the response" : "the end of the response body";
    throw codedError(`the server closed the connection before ${what}`, CLOSED_EARLY);
  }

  /** Reads the head; true when it was an informational (1xx) one and the real head follows. */
  private head(text: string): boolean {
    const lines = text.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
    if (!m) throw badResponse(`status line ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
    const status = Number(m[1]);
    if (status >= 100 && status < 200 && status !== 101) return true;
    const headers: [string, string][] = [];
    let length: number | undefined;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw badResponse(`header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value)))
          throw badResponse(`Content-Length ${JSON.stringify(value)}`);
        length = Number(value);
      } else if (name === "transfer-encoding") {
        if (value.toLowerCase() !== "chunked") throw badResponse(`Transfer-Encoding ${JSON.stringify(value)}`);
        chunked = true;
      }
      headers.push([name, value]);
    }
    this.events.head({ status, statusText: m[2] ?? "", headers });
    if (bodiless(this.method, status)) this.finish();
    else if (chunked) this.state = State.ChunkSize;
    else if (length !== undefined) {
      this.remaining = length;
      this.state = State.Length;
      if (length === 0) this.finish();
    } else this.state = State.UntilClose;
    return false;
  }

  private line(line: string): void {
    if (this.state === State.ChunkEnd) {
      if (line !== "") throw badResponse("no CRLF after a chunk");
      this.state = State.ChunkSize;
    } else if (this.state === State.Trailers) {
      // Trailers are read past, not kept: LXD sends none.
      if (line === "") this.finish();
    } else {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
      if (!size) throw badResponse(`chunk size ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = Number.parseInt(size[1]!, 16);
      this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    }
  }

  private finish(): void {
    this.state = State.Done;
    this.events.end();
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfHeadEnd(buf: Uint8Array): number {
  for (let i = 3; i < buf.length; i++) if (buf[i - 3] === 13 && buf[i - 2] === 10 && buf[i - 1] === 13 && buf[i] === 10) return i - 3;
  return -1;
}

function indexOfCrlf(buf: Uint8Array): number {
  for (let i = 1; i < buf.length; i++) if (buf[i - 1] === 13 && buf[i] === 10) return i - 1;
  return -1;
}
