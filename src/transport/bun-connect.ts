// A connection over Bun's own socket API (`Bun.connect`: native code, where node:net in Bun is a
// JavaScript layer of streams, docs/native-cli.md), for what the Bun transport drives itself: the
// unix websockets (bun-socket.ts) and streamed file requests (bun-http.ts). Writes are queued in
// order for `drain`; a TLS connection resolves only once Bun has verified the server (its
// certificate against `ca`, and the host name) and, when pinned, its fingerprint matched.
import { codedError, fingerprintMismatch } from "./common.js";
import type { ByteChannel } from "./websocket-client.js";

/** The part of Bun's socket these files use. */
export interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  getPeerCertificate?(): { fingerprint256?: string } | undefined;
}

interface BunHandlers {
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  close(socket: BunSocket): void;
  end(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
  handshake?(socket: BunSocket, success: boolean, authorizationError: (Error & { code?: string }) | null): void;
}

/** TLS settings as Bun.connect takes them (PEM text). */
export interface BunConnectTls {
  cert?: string;
  key?: string;
  ca?: string;
  serverName?: string;
}

/** Where to connect: a unix socket, or a TCP host (TLS when `tls` is set, pinned when `pinned`). */
export type BunTarget = { unix: string } | { hostname: string; port: number; tls?: BunConnectTls | undefined; pinned?: string | undefined };

interface BunConnect {
  connect(
    options: ({ unix: string } | { hostname: string; port: number; tls?: BunConnectTls }) & { socket: BunHandlers },
  ): Promise<BunSocket>;
}

/** What the connection reports: bytes as they come, and its end (with the error, if any) once. */
export interface ConnectionEvents {
  data(bytes: Uint8Array): void;
  closed(error?: Error): void;
}

export interface Connection extends ByteChannel {
  /** Resolves once every queued byte was handed to the kernel (at once when none waits). */
  drained(): Promise<void>;
}

/**
 * Opens the connection. `data` and `closed` may come before this resolves only for a unix socket
 * (a TLS connection reports nothing before its verification).
 */
export async function bunConnect(target: BunTarget, events: ConnectionEvents): Promise<Connection> {
  // Bun's write takes what the kernel takes now; the rest waits here for `drain`, in order.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ending = false;
  let closed = false;
  let sock: BunSocket | undefined;
  let onDrained: (() => void) | undefined;
  let verified: { resolve(): void; reject(err: Error): void } | undefined;
  const flush = () => {
    while (queue.length > 0 && sock) {
      const chunk = queue[0]!;
      const n = sock.write(chunk);
      queued -= n;
      if (n < chunk.length) {
        queue[0] = chunk.subarray(n);
        return;
      }
      queue.shift();
    }
    if (queue.length > 0) return;
    if (ending) sock?.end();
    const resolve = onDrained;
    onDrained = undefined;
    resolve?.();
  };
  const closedOnce = (error?: Error) => {
    if (closed) return;
    closed = true;
    const failure = error ?? codedError("the server closed the connection", "ECONNRESET");
    verified?.reject(failure);
    verified = undefined;
    // A writer waiting for room learns of the end through `closed`; its wait ends here.
    const resolve = onDrained;
    onDrained = undefined;
    resolve?.();
    events.closed(error);
  };
  const handlers: BunHandlers = {
    data: (_s, data) => events.data(data),
    drain: () => flush(),
    close: () => closedOnce(),
    end: () => closedOnce(),
    error: (_s, error) => closedOnce(error),
  };
  const tcp = "unix" in target ? undefined : target;
  const handshake = new Promise<void>((resolve, reject) => {
    verified = { resolve, reject };
  });
  handshake.catch(() => undefined); // awaited below when the target is TLS
  if (tcp?.tls) {
    const pinned = tcp.pinned;
    handlers.handshake = (socket, success, authorizationError) => {
      // Bun verifies the chain and the host name (rejectUnauthorized is left at its default, true);
      // a pin is checked on top of that, before any request byte is written.
      const failure = success
        ? pinned === undefined
          ? undefined
          : fingerprintMismatch(pinned, socket.getPeerCertificate?.()?.fingerprint256)
        : codedError(authorizationError?.message ?? "the TLS handshake failed", authorizationError?.code ?? "ERR_SSL_HANDSHAKE_FAILED");
      if (failure) {
        verified?.reject(failure);
        verified = undefined;
        socket.terminate();
        return;
      }
      verified?.resolve();
      verified = undefined;
    };
  }
  const bun = (globalThis as unknown as { Bun: BunConnect }).Bun;
  const options = tcp
    ? { hostname: tcp.hostname, port: tcp.port, ...(tcp.tls && { tls: tcp.tls }) }
    : { unix: (target as { unix: string }).unix };
  sock = await bun.connect({ ...options, socket: handlers });
  const socket = sock;
  if (tcp?.tls) {
    try {
      await handshake;
    } catch (err) {
      socket.terminate();
      throw err;
    }
  }
  return {
    write: (bytes) => {
      queue.push(bytes);
      queued += bytes.length;
      if (queue.length === 1) flush();
    },
    end: () => {
      ending = true;
      flush();
    },
    destroy: () => socket.terminate(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    get buffered() {
      return queued;
    },
    drained: () =>
      queue.length === 0 || closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            onDrained = resolve;
          }),
  };
}
