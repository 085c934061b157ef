// A small RFC 6455 client over a byte channel that each runtime opens its own way (Node: undici's
// upgrade on the remote's Agent; Deno: its unix socket). Runtime-neutral (Uint8Array, WebCrypto);
// only the server runtimes' transports import it. It exists for two things a WHATWG WebSocket
// cannot do:
// - Not answering LXD's keepalive pings on exec output sockets. LXD pings each exec socket as it
//   connects; a WHATWG client answers with a pong whenever it gets to parse the ping. When that
//   is after LXD has sent the output and closed the socket (a short command, a busy client), the
//   write fails (EPIPE; over TCP an RST) and the runtime tears the socket down with the output
//   it had received but not yet delivered. Measured on LXD 5.0.2 with a bare client, 50 execs at
//   a time: answering pings lost output in 33-47 of 300 execs; not answering, none in 900.
// - Pausing: `pause()` stops reading, so the socket's flow control holds LXD back and a slow
//   reader keeps memory bounded.

import { concatBytes } from "../utils/bytes.js";
import { sha1 } from "../utils/sha1.js";

/** The connection under the websocket: ordered writes, half-close, and flow control. */
export interface ByteChannel {
  write(bytes: Uint8Array): void;
  /** Half-closes once the queued writes are out. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  /** Bytes queued and not yet written. */
  readonly buffered: number;
}

/** A node:stream Duplex (a net or TLS socket) as a channel. */
export function duplexChannel(socket: {
  write(b: Uint8Array): unknown;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  readonly writableLength: number;
}): ByteChannel {
  return {
    write: (bytes) => void socket.write(bytes),
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    get buffered() {
      return socket.writableLength;
    },
  };
}

/** What the channel reports; `closed` comes once, after the last `data`. */
export interface ChannelEvents {
  data(chunk: Uint8Array): void;
  closed(): void;
}

/** Opens the channel and performs the HTTP upgrade with this key; resolves once it succeeded. */
export type Upgrade = (
  key: string,
  events: ChannelEvents,
  signal: AbortSignal,
) => Promise<{ accept: string | undefined; channel: ByteChannel }>;

export interface RawWebSocketOptions {
  /** Answer the server's pings (default true). Exec output sockets turn it off (above). */
  answerPings?: boolean;
  /** Sent with the upgrade request (the request hooks' headers, e.g. a bearer token). */
  headers?: Record<string, string> | undefined;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_MESSAGE = 64 << 20; // LXD sends at most 128 KiB per message; anything near this is not LXD
const CLOSE_WAIT_MS = 5000; // after our close frame, how long the server gets to close the socket
const enum Op {
  Continuation = 0,
  Text = 1,
  Binary = 2,
  Close = 8,
  Ping = 9,
  Pong = 10,
}
const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

async function acceptFor(key: string): Promise<string> {
  return btoa(String.fromCharCode(...sha1(utf8.encode(key + GUID))));
}

/** The subset of WHATWG `WebSocket` lxd-fetch uses, plus `pause()` and `resume()`. */
export class RawWebSocket extends EventTarget {
  readyState = 0;
  binaryType: BinaryType = "arraybuffer";
  private channel: ByteChannel | undefined;
  private readonly abort = new AbortController();
  private readonly answerPings: boolean;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private fragments: Uint8Array[] = [];
  private fragmentBytes = 0;
  private fragmentOp = Op.Binary;
  private broken = false;
  private closeCode = 1006;
  private closeReason = "";
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private early: Uint8Array[] = [];
  private gone = false;

  constructor(upgrade: Upgrade, options: RawWebSocketOptions = {}) {
    super();
    this.answerPings = options.answerPings ?? true;
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    // Bytes can arrive before the upgrade's promise settles: they wait in `early`.
    const events: ChannelEvents = {
      data: (chunk) => (this.channel ? this.receive(chunk) : this.early.push(chunk)),
      closed: () => (this.channel ? this.onClosed() : (this.gone = true)),
    };
    Promise.all([upgrade(key, events, this.abort.signal), acceptFor(key)])
      .then(([{ accept, channel }, expected]) => {
        if (accept !== expected) {
          channel.destroy();
          throw new Error("the server's Sec-WebSocket-Accept does not match");
        }
        if (this.readyState !== 0) return void channel.destroy(); // closed while connecting
        this.open(channel);
      })
      .catch((err: unknown) => this.fail(err));
  }

  get bufferedAmount(): number {
    return this.channel?.buffered ?? 0;
  }

  /** Stops reading: the kernel's buffers fill and the server waits. */
  pause(): void {
    this.channel?.pause();
  }

  resume(): void {
    this.channel?.resume();
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error("the websocket is not open");
    if (typeof data === "string") return this.write(Op.Text, utf8.encode(data));
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    this.write(Op.Binary, bytes);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState === 0) {
      this.readyState = 3;
      this.abort.abort();
      this.dispatch("close", { code: 1006, reason: "", wasClean: false });
      return;
    }
    if (this.readyState !== 1) return;
    this.readyState = 2;
    const r = utf8.encode(reason);
    const payload = new Uint8Array(2 + r.length);
    new DataView(payload.buffer).setUint16(0, code);
    payload.set(r, 2);
    this.write(Op.Close, payload);
    // The server answers and closes; ours is the half-close, and a timer for a server that never does.
    this.channel?.end();
    this.closeTimer = setTimeout(() => this.channel?.destroy(), CLOSE_WAIT_MS);
    (this.closeTimer as { unref?: () => void }).unref?.();
  }

  private open(channel: ByteChannel): void {
    this.channel = channel;
    this.readyState = 1;
    this.dispatch("open", {});
    for (const chunk of this.early.splice(0)) if (this.readyState !== 3) this.receive(chunk);
    if (this.gone) this.onClosed();
  }

  private onClosed(): void {
    if (this.readyState === 3) return;
    clearTimeout(this.closeTimer);
    this.readyState = 3;
    this.dispatch("close", { code: this.closeCode, reason: this.closeReason, wasClean: this.closeCode !== 1006 });
  }

  private fail(err: unknown): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatch("error", { error: err, message: err instanceof Error ? err.message : String(err) });
    this.dispatch("close", { code: 1006, reason: "", wasClean: false });
  }

  private dispatch(type: string, fields: Record<string, unknown>): void {
    this.dispatchEvent(Object.assign(new Event(type), fields));
  }

  private write(op: Op, payload: Uint8Array): void {
    const len = payload.length;
    const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
    // One buffer per frame: header, mask, then the payload masked (clients must mask; the
    // caller's bytes are not ours to change).
    const out = new Uint8Array(headLen + 4 + len);
    const view = new DataView(out.buffer);
    out[0] = 0x80 | op;
    if (len < 126) out[1] = 0x80 | len;
    else if (len < 65536) {
      out[1] = 0x80 | 126;
      view.setUint16(2, len);
    } else {
      out[1] = 0x80 | 127;
      view.setBigUint64(2, BigInt(len));
    }
    const mask = crypto.getRandomValues(new Uint8Array(4));
    out.set(mask, headLen);
    const body = headLen + 4;
    for (let i = 0; i < len; i++) out[body + i] = payload[i]! ^ mask[i & 3]!;
    this.channel?.write(out);
  }

  /** Parses every whole frame buffered so far; a partial one waits for more bytes. */
  private receive(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 2 && !this.broken && this.readyState !== 3) {
      const head = this.peek(Math.min(10, this.buffered));
      const fin = (head[0]! & 0x80) !== 0;
      const op = (head[0]! & 0x0f) as Op;
      if (head[1]! & 0x80) return this.protocolError("masked frame from the server");
      let len = head[1]! & 0x7f;
      let headLen = 2;
      const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
      if (len === 126) {
        if (head.length < 4) return;
        len = view.getUint16(2);
        headLen = 4;
      } else if (len === 127) {
        if (head.length < 10) return;
        const big = view.getBigUint64(2);
        if (big > BigInt(MAX_MESSAGE)) return this.protocolError("frame too large");
        len = Number(big);
        headLen = 10;
      }
      if (this.buffered < headLen + len) return;
      this.take(headLen);
      this.frame(op, fin, this.take(len));
    }
  }

  /** At least `n` bytes from the front, joined if they span chunks. */
  private peek(n: number): Uint8Array {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = concatBytes(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) return (this.chunks.shift(), first);
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const all = concatBytes(this.chunks, this.buffered + n);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }

  private frame(op: Op, fin: boolean, payload: Uint8Array): void {
    if (op >= Op.Close && (!fin || payload.length > 125)) return this.protocolError("fragmented or oversized control frame");
    switch (op) {
      case Op.Ping:
        if (this.answerPings && this.readyState === 1) this.write(Op.Pong, payload);
        return;
      case Op.Pong:
        return;
      case Op.Close: {
        const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
        this.closeCode = payload.length >= 2 ? view.getUint16(0) : 1005;
        this.closeReason = new TextDecoder().decode(payload.subarray(2));
        if (this.readyState === 1) {
          this.readyState = 2;
          this.write(Op.Close, payload.subarray(0, 2));
        }
        this.channel?.end();
        this.closeTimer ??= setTimeout(() => this.channel?.destroy(), CLOSE_WAIT_MS);
        return;
      }
      case Op.Text:
      case Op.Binary:
      case Op.Continuation: {
        const continuing = this.fragments.length > 0;
        if (op === Op.Continuation ? !continuing : continuing) return this.protocolError("unexpected frame in a fragmented message");
        if (op !== Op.Continuation) this.fragmentOp = op;
        if (!fin || continuing) {
          this.fragmentBytes += payload.length;
          if (this.fragmentBytes > MAX_MESSAGE) return this.protocolError("message too large");
          this.fragments.push(payload);
          if (!fin) return;
          payload = concatBytes(this.fragments, this.fragmentBytes);
          this.fragments = [];
          this.fragmentBytes = 0;
        }
        // Bytes are handed over as a view: no copy per message.
        const data = this.fragmentOp === Op.Text ? new TextDecoder().decode(payload) : payload;
        this.dispatch("message", { data });
        return;
      }
      default:
        return this.protocolError(`unknown opcode ${op}`);
    }
  }

  private protocolError(why: string): void {
    this.broken = true; // nothing after it is parsed
    this.closeCode = 1002;
    this.closeReason = why;
    this.channel?.destroy();
  }
}
