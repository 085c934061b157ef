// The virtual LXD's public types: its options and what a programmable command sees.

export interface MockProcess {
  readonly argv: string[];
  readonly environment: Record<string, string>;
  readonly cwd: string;
  readonly user: number;
  readonly group: number;
  readonly interactive: boolean;
  /** Terminal size (interactive), updated by window-resize. */
  readonly size: { width: number; height: number };
  /** Reads stdin until EOF. */
  stdin(): AsyncIterable<Uint8Array>;
  stdout(data: string | Uint8Array): void;
  stderr(data: string | Uint8Array): void;
  /** Resolves with the first signal received (from control, or 9 when control closes). */
  readonly signalled: Promise<number>;
}

/** A command: returns its exit status. Throwing `notFound()` makes it exit 127 like LXD. */
export type CommandHandler = (proc: MockProcess) => number | Promise<number>;

export interface VirtualLxdOptions {
  /** Default `https://lxd.test:8443`. */
  baseUrl?: string;
  /** `"5.0.2"` (default): /wait returns the Operation; `"5.0.3"`: timeouts and failures come as an error envelope in HTTP 200. */
  waitForm?: "5.0.2" | "5.0.3";
  /** How long a finished operation is kept; LXD keeps it about 5 s. */
  retentionMs?: number;
  /** Running instances. Default `["c1"]`. */
  instances?: string[];
  /** Image aliases instances can be created from without an upload. Default `["busybox"]`. */
  imageAliases?: string[];
  /** The API extensions `GET /1.0` announces. Default: LXD 5.0.2's (src/mock/extensions.ts). */
  apiExtensions?: readonly string[];
  /**
   * Answer the server's config writes (`PUT`/`PATCH /1.0`) with an operation, as LXD 6.8+ and
   * newer Incus do, instead of at once as LXD 5.0.2 and Incus 6.0.4 do.
   */
  asyncWrites?: boolean;
  /** Extra commands by argv[0], over the built-ins (echo, cat, sh -c, sleep, true, false, ...). */
  commands?: Record<string, CommandHandler>;
  /** Wire traps, to prove a client copes. */
  traps?: {
    /** Finish the operation (event and /wait) before any output frame is sent. */
    finalEventBeforeOutput?: boolean;
    /** How binary frames are handed to the client (runtimes differ). */
    frames?: "arraybuffer" | "uint8array" | "blob" | "buffer";
    /** Refuse events sockets, as a server or proxy without websocket support would. */
    refuseEvents?: boolean;
    /** Drop the output sockets without their end-of-stream frame after the operation finished (a race LXD 5.0.2 has). */
    dropAfterFinish?: boolean;
    /** The daemon dies mid-exec: output sockets drop without end-of-stream, the operation never ends, nothing answers. */
    dieMidExec?: boolean;
    /** The command cannot start (LXD: "fork/exec …: invalid argument"): the operation fails with return -1, then the sockets drop. */
    failBeforeStart?: boolean;
    /** After the operation finished, the output sockets neither end nor close (a stuck proxy or peer). */
    silentAfterFinish?: boolean;
    /** The final operation event never reaches the events sockets (GET and /wait still tell). */
    loseFinalEvent?: boolean;
    /**
     * The servers' own output race (Incus 6.0, LXD >= 5.0.3): the last write to stderr stays in the
     * pipe while stdout is complete, the end-of-stream frame is normal and the exit code right.
     * Streamed execs only: a recorded one (`record-output`) has no pipe to lose it in.
     */
    loseStderrTail?: boolean;
    /**
     * The next N websocket execs are given up by the server before any socket connected, as LXD
     * and Incus do after 5 s under load: the operation fails "Timed out waiting for websockets to
     * connect" without a `return`, the command never runs, and every socket is refused.
     */
    socketsTimeout?: number;
    /**
     * LXD adds an events socket's listener after the upgrade and a database transaction, seconds
     * later under load: events of the first N ms after a socket opened never reach it.
     */
    listenAfterMs?: number;
  };
}

/** A websocket client as MSW hands it to the virtual LXD. */
export type Client = {
  send(data: unknown): void;
  close(code?: number, reason?: string): void;
  addEventListener(t: string, f: (e: MessageEvent) => void): void;
  url: URL;
};
