// The process's stdio as plain byte streams (host-bun.ts), for exec without a terminal; its own
// file so that host.ts and host-bun.ts, which stand in for each other, share it.
export interface PlainStdio {
  /** Reads stdin until its end or `stop()`, each chunk sent before the next is read. */
  readInput(send: (chunk: Uint8Array) => Promise<void>): { ended: Promise<void>; stop: () => void };
  /** Writes to stdout (1) or stderr (2); resolves once the bytes are written. */
  write(fd: 1 | 2, chunk: Uint8Array): Promise<void>;
}
