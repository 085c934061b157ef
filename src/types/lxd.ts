// What LXD's API description does not say, typed by hand beside the generated types.
// Facts: docs/protocol.md (checked against LXD's source and a real 5.0.2 daemon).
import type { components } from "../generated/lxd.js";
import type { IncusCertificatesPostFields, IncusLifecycleFields } from "./incus.js";

type Schemas = components["schemas"];

/** Operation status codes (LXD's shared/api/status_code.go; the generator gives the spec's integer these values). */
export const StatusCode = {
  OperationCreated: 100,
  Started: 101,
  Stopped: 102,
  Running: 103,
  Cancelling: 104,
  Pending: 105,
  Starting: 106,
  Stopping: 107,
  Aborting: 108,
  Freezing: 109,
  Frozen: 110,
  Thawed: 111,
  Error: 112,
  Ready: 113,
  Success: 200,
  Failure: 400,
  Cancelled: 401,
} as const satisfies Record<string, Schemas["StatusCode"]>;
export type StatusCode = Schemas["StatusCode"];

/** Final means the operation will not change again: Success, Failure or Cancelled. */
export const isFinal = (code: number): boolean => code >= 200;

/** Operation classes; `durable` exists on LXD 6.x only. */
export type OperationClass = Schemas["Operation"]["class"];

/**
 * An Operation as LXD sends it (every key present: scripts/generate.mjs marks them required).
 * `M` types the free-form `metadata` of one kind of operation; newer servers add fields.
 */
export type Operation<M = Record<string, unknown>> = Omit<Schemas["Operation"], "metadata"> & {
  metadata: M | null;
  /** LXD 5.21 / 6.6+ */
  requestor?: unknown;
  /** LXD 6.8+ */
  err_code?: number;
};

/**
 * `GET /1.0/operations`: lower-case status name → operation URLs; with `recursion=1` the same
 * map holds Operation objects (the spec wrongly says a list). Empty groups are absent.
 */
export type OperationMap<T = string> = {
  running?: T[];
  success?: T[];
  failure?: T[];
  cancelled?: T[];
  pending?: T[];
  [status: string]: T[] | undefined;
};

// --- The response envelope (LXD's shared/api/response.go): the generator gives every response its seven keys. ---

type Body<R extends keyof components["responses"]> = components["responses"][R]["content"]["application/json"];

export type SyncEnvelope<T = unknown> = Omit<Body<"EmptySyncResponse">, "metadata"> & { metadata: T };
/** `operation` is `/1.0/operations/<id>`. */
export type AsyncEnvelope<M = Record<string, unknown>> = Omit<Body<"Operation">, "metadata"> & { metadata: Operation<M> };
export type ErrorEnvelope = Omit<Body<"BadRequest">, "metadata"> & { metadata: unknown };

export type Envelope<T = unknown> = SyncEnvelope<T> | AsyncEnvelope | ErrorEnvelope;

// --- Exec and console (websocket traffic, absent from the spec). ---

/** Secrets of the exec websockets: non-interactive `0`,`1`,`2`,`control`; interactive `0`,`control`. */
export type ExecFds = { control: string; "0": string; "1"?: string; "2"?: string };

/** `metadata` of an exec operation. `return` is set once the command has finished. */
export interface ExecOperationMetadata {
  [key: string]: unknown;
  fds?: ExecFds;
  /** Exit status; -1 when the command could not start. */
  return?: number;
  /** With `record-output`: the paths of the files holding stdout ("1") and stderr ("2"). */
  output?: { "1"?: string; "2"?: string };
  command?: string[];
  environment?: Record<string, string>;
  interactive?: boolean;
}

/** Control-socket messages. Window sizes are strings: LXD ignores numbers silently. */
export type ControlMessage = { command: "window-resize"; args: { width: string; height: string } } | { command: "signal"; signal: number };

export type Server = Schemas["Server"];
export type ServerEnvironment = Schemas["ServerEnvironment"];
export type InstanceExecPost = Schemas["InstanceExecPost"];
/** LXD's body, plus Incus's names (`trust_token` instead of 5.0's `password`, `description`). */
export type CertificatesPost = Schemas["CertificatesPost"] & IncusCertificatesPostFields;

// --- Events (`GET /1.0/events`, a websocket of JSON text frames). ---

export type EventType = "operation" | "logging" | "lifecycle";

interface EventBase<T extends EventType, M> extends Omit<Required<Schemas["Event"]>, "type" | "metadata"> {
  type: T;
  metadata: M;
}

/** Sent on creation, on every status change and on every metadata update of an operation. */
export type OperationEvent = EventBase<"operation", Operation>;
export type LifecycleEvent = EventBase<
  "lifecycle",
  { action: string; source: string; context?: Record<string, unknown>; requestor?: unknown } & IncusLifecycleFields
>;
export type LoggingEvent = EventBase<"logging", { message: string; level: string; context?: Record<string, string> }>;
export type LxdEvent = OperationEvent | LifecycleEvent | LoggingEvent;
