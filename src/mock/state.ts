// What the virtual LXD's parts share: its instances, its operations and their lifecycle (with
// LXD's ~5 s retention of finished ones), the request log and whether the daemon is dead.
import { type MockInstance, newInstance } from "./context.js";
import type { InstanceExecPost, Operation } from "../types/lxd.js";
import type { EventBus } from "./events.js";
import { LXD_5_0_2_EXTENSIONS } from "./extensions.js";
import type { Client, CommandHandler, VirtualLxdOptions } from "./types.js";

export interface MockOp {
  op: Operation;
  fds: Record<string, string>;
  exec?: ExecState;
  /** Takes the websockets of an operation that is not an exec (a console). */
  attach?: (fd: string, client: Client) => void;
}

/** A websocket secret as LXD makes them: 64 hex digits. */
export const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");

export interface ExecState {
  body: ExecBody;
  sockets: Map<string, Client>;
  started: boolean;
  stdinChunks: Uint8Array[];
  stdinEof: boolean;
  stdinWake?: () => void;
  signal?: (n: number) => void;
  size: { width: number; height: number };
}

/** The exec request as LXD's API describes it. */
export type ExecBody = InstanceExecPost & { command: string[] };

export type { Client } from "./types.js";

export type { MockInstance } from "./context.js";

export interface VirtualState {
  base: string;
  wsBase: string;
  options: VirtualLxdOptions;
  /** The API extensions `GET /1.0` announces (default LXD 5.0.2's), which the resources behave by. */
  extensions: readonly string[];
  traps: NonNullable<VirtualLxdOptions["traps"]>;
  commands: Record<string, CommandHandler>;
  instances: Map<string, MockInstance>;
  ops: Map<string, MockOp>;
  events: EventBus;
  /** After dieMidExec: every request fails and no socket is accepted, as with a dead daemon. */
  dead: boolean;
  /** Recorded exec output (`record-output`), by instance then file name, as LXD 5.0 keeps it in the instance's logs. */
  logs: Map<string, Map<string, Uint8Array>>;
  /** Every request received, in order ("METHOD /path?query"; websockets as "WS /path", secrets redacted). */
  requests: string[];
  /** The server's own config (`GET /1.0`'s `config`; server-config.ts changes it). */
  serverConfig: Record<string, string>;
  logged(method: string, url: URL): void;
  newOp(cls: Operation["class"], description: string, resources: Record<string, string[]>, metadata: Record<string, unknown>): MockOp;
  finish(m: MockOp, status: "Success" | "Failure" | "Cancelled", err?: string, metadata?: Record<string, unknown>): void;
}

export function createState(options: VirtualLxdOptions, commands: Record<string, CommandHandler>, events: EventBus): VirtualState {
  const base = options.baseUrl ?? "https://lxd.test:8443";
  const retention = options.retentionMs ?? 5000;
  const ops = new Map<string, MockOp>();
  const requests: string[] = [];
  const traps: NonNullable<VirtualLxdOptions["traps"]> = { ...options.traps };
  return {
    base,
    wsBase: base.replace(/^http/, "ws"),
    options,
    extensions: options.apiExtensions ?? LXD_5_0_2_EXTENSIONS,
    traps,
    commands,
    instances: new Map((options.instances ?? ["c1"]).map((n) => [n, newInstance(n)])),
    ops,
    events,
    dead: false,
    logs: new Map(),
    requests,
    serverConfig: {},
    logged: (method, url) => requests.push(`${method} ${url.pathname}${url.search.replace(/secret=[^&]*/, "secret=[redacted]")}`),
    newOp(cls, description, resources, metadata) {
      const now = new Date().toISOString();
      const op: Operation = {
        id: crypto.randomUUID(),
        class: cls,
        description,
        created_at: now,
        updated_at: now,
        status: "Running",
        status_code: 103,
        resources,
        metadata,
        may_cancel: cls === "token",
        err: "",
        location: "none",
      };
      const m: MockOp = { op, fds: {} };
      ops.set(op.id, m);
      events.emit("operation", op);
      return m;
    },
    finish(m, status, err = "", metadata) {
      if (m.op.status_code >= 200) return;
      m.op = {
        ...m.op,
        status,
        status_code: status === "Success" ? 200 : status === "Failure" ? 400 : 401,
        err,
        updated_at: new Date().toISOString(),
        ...(metadata && { metadata: { ...m.op.metadata, ...metadata } }),
      };
      if (!traps.loseFinalEvent) events.emit("operation", m.op);
      const t = setTimeout(() => ops.delete(m.op.id), retention);
      (t as { unref?: () => void }).unref?.(); // retention must not keep a process alive
    },
  };
}
