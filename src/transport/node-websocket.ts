// A small RFC 6455 client over undici's `upgrade`, so the socket goes through the remote's own
// Agent (unix socket, or mTLS with a pinned certificate). It replaces undici's WHATWG WebSocket
// for two things that one cannot do:
// - Not answering LXD's keepalive pings on exec output sockets. LXD pings each exec socket as
//   it connects; a WHATWG client answers with a pong whenever it gets to parse the ping. When
//   that is after LXD has sent the output and closed the socket (a short command, a busy
//   client), the write fails (EPIPE; over TCP an RST) and the runtime tears the socket down
//   with the output it had received but not yet delivered. Measured on LXD 5.0.2 with a bare
//   client, 50 execs at a time: answering pings lost output in 33-47 of 300 execs, not
//   answering lost none in 900 (issue 9; ../shared/docs/lxd-protocol.md).
// - Pausing: `pause()` stops reading the socket, so TCP (or the unix socket) holds LXD back
//   and a slow reader keeps memory bounded.
import { createHash, randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Dispatcher } from "undici";

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

export interface NodeWebSocketOptions {
  /** Answer the server's pings (default true). Exec output sockets turn it off (above). */
  answerPings?: boolean;
}

/** The subset of WHATWG `WebSocket` lxd-fetch uses, plus `pause()` and `resume()`. */
export class NodeWebSocket extends EventTarget {
  readyState = 0;
  binaryType: BinaryType = "arraybuffer";
  private socket: Duplex | undefined;
  private readonly abort = new AbortController();
  private readonly answerPings: boolean;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private fragments: Buffer[] = [];
  private fragmentOp = Op.Binary;
  private closeCode = 1006;
  private closeReason = "";
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string, dispatcher: Dispatcher, options: NodeWebSocketOptions = {}) {
    super();
    this.answerPings = options.answerPings ?? true;
    const u = new URL(url);
    const key = randomBytes(16).toString("base64");
    // An Agent routes by origin, which its typings leave out of the upgrade options.
    const request: Dispatcher.UpgradeOptions & { origin: string } = {
      origin: `${u.protocol === "wss:" ? "https:" : "http:"}//${u.host}`,
      path: u.pathname + u.search,
      method: "GET",
      protocol: "websocket",
      headers: { "sec-websocket-key": key, "sec-websocket-version": "13" },
      signal: this.abort.signal,
    };
    dispatcher
      .upgrade(request)
      .then(
        ({ headers, socket }) => {
          const accept = createHash("sha1").update(key + GUID).digest("base64");
          if (headers["sec-websocket-accept"] !== accept) {
            socket.destroy();
            throw new Error("the server's Sec-WebSocket-Accept does not match");
          }
          if (this.readyState !== 0) return void socket.destroy(); // closed while connecting
          this.attach(socket);
        },
      )
      .catch((err: unknown) => this.fail(err));
  }

  get bufferedAmount(): number {
    return this.socket?.writableLength ?? 0;
  }

  /** Stops reading: the kernel's buffers fill and the server waits. */
  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error("the websocket is not open");
    if (typeof data === "string") return this.write(Op.Text, Buffer.from(data));
    const bytes = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
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
    const r = Buffer.from(reason);
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this.write(Op.Close, payload);
    // The server answers and closes; ours is the half-close, and a timer for a server that never does.
    this.socket?.end();
    this.closeTimer = setTimeout(() => this.socket?.destroy(), CLOSE_WAIT_MS);
    this.closeTimer.unref?.();
  }

  private attach(socket: Duplex): void {
    this.socket = socket;
    this.readyState = 1;
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.resume(); // undici leaves it paused after the handshake
    socket.on("error", () => undefined); // the close that follows says it: 1006
    socket.on("close", () => {
      clearTimeout(this.closeTimer);
      this.readyState = 3;
      this.dispatch("close", { code: this.closeCode, reason: this.closeReason, wasClean: this.closeCode !== 1006 });
    });
    this.dispatch("open", {});
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

  private write(op: Op, payload: Buffer): void {
    const len = payload.length;
    const head = Buffer.alloc(len < 126 ? 6 : len < 65536 ? 8 : 14);
    head[0] = 0x80 | op;
    let at = 2;
    if (len < 126) head[1] = 0x80 | len;
    else if (len < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(len, 2);
      at = 4;
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
      at = 10;
    }
    const mask = randomBytes(4);
    mask.copy(head, at);
    // Clients must mask; a copy, as the caller's buffer is not ours to change.
    const masked = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket?.write(Buffer.concat([head, masked]));
  }

  /** Parses every whole frame buffered so far; a partial one waits for more bytes. */
  private receive(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 2) return;
      const first = this.peek(14);
      const fin = (first[0]! & 0x80) !== 0;
      const op = (first[0]! & 0x0f) as Op;
      if (first[1]! & 0x80) return this.protocolError("masked frame from the server");
      let len = first[1]! & 0x7f;
      let headLen = 2;
      if (len === 126) {
        if (first.length < 4) return;
        len = first.readUInt16BE(2);
        headLen = 4;
      } else if (len === 127) {
        if (first.length < 10) return;
        const big = first.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE)) return this.protocolError("frame too large");
        len = Number(big);
        headLen = 10;
      }
      if (this.buffered < headLen + len) return;
      this.take(headLen);
      this.frame(op, fin, this.take(len));
      if (this.readyState === 3) return;
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n || this.chunks.length === 1) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const head = this.chunks[0]!;
    if (head.length === n) return (this.chunks.shift(), head);
    if (head.length > n) {
      this.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    return all.subarray(0, n);
  }

  private frame(op: Op, fin: boolean, payload: Buffer): void {
    switch (op) {
      case Op.Ping:
        if (this.answerPings && this.readyState === 1) this.write(Op.Pong, payload);
        return;
      case Op.Pong:
        return;
      case Op.Close:
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.closeReason = payload.subarray(2).toString();
        if (this.readyState === 1) {
          this.readyState = 2;
          this.write(Op.Close, payload.subarray(0, 2));
        }
        this.socket?.end();
        return;
      case Op.Text:
      case Op.Binary:
      case Op.Continuation: {
        if (op !== Op.Continuation) this.fragmentOp = op;
        if (!fin || this.fragments.length > 0) {
          this.fragments.push(payload);
          if (!fin) return;
          payload = Buffer.concat(this.fragments);
          this.fragments = [];
        }
        if (payload.length > MAX_MESSAGE) return this.protocolError("message too large");
        // Bytes are handed over as a view: no copy per message.
        const data = this.fragmentOp === Op.Text ? payload.toString("utf8") : new Uint8Array(payload.buffer, payload.byteOffset, payload.length);
        this.dispatch("message", { data });
        return;
      }
      default:
        return this.protocolError(`unknown opcode ${op}`);
    }
  }

  private protocolError(why: string): void {
    this.closeCode = 1002;
    this.closeReason = why;
    this.socket?.destroy();
  }
}
