// What the virtual LXD's resource files (instances.ts, images.ts, trust.ts) share with its core
// (index.ts): the base URL, LXD's envelopes, operations, and the instances.
import type { Operation, StatusCode } from "../types/lxd.js";

export interface MockOperation {
  op: Operation;
}

/** An instance as the virtual LXD keeps it: LXD's fields, and its snapshots. */
export interface MockInstance {
  name: string;
  status: string;
  status_code: StatusCode;
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
  profiles: string[];
  ephemeral: boolean;
  description: string;
  type: string;
  created_at: string;
  snapshots: Map<string, { name: string; created_at: string; config: Record<string, string>; stateful: boolean }>;
}

export interface MockContext {
  base: string;
  /** The API extensions `GET /1.0` announces: what the resources behave by (a list's filter). */
  extensions: readonly string[];
  instances: Map<string, MockInstance>;
  /** A sync envelope. */
  ok(metadata: unknown): Response;
  /** LXD's error envelope. */
  error(code: number, message: string): Response;
  newOp(
    cls: Operation["class"],
    description: string,
    resources: Record<string, string[]>,
    metadata: Record<string, unknown>,
  ): MockOperation;
  finish(m: MockOperation, status: "Success" | "Failure" | "Cancelled", err?: string, metadata?: Record<string, unknown>): void;
  /** The 202 answer for an operation. */
  accepted(m: MockOperation): Response;
  /** Emits a lifecycle event (`profile-created`…) with the changed object's path as its source. */
  lifecycle(action: string, source: string, context?: Record<string, unknown>, project?: string): void;
  /** Runs `work` shortly after (as LXD runs an operation), then finishes the operation with its outcome. */
  later(m: MockOperation, work: () => string | undefined | Record<string, unknown>): void;
}

export function newInstance(name: string, fields: Partial<MockInstance> = {}): MockInstance {
  return {
    name,
    status: "Running",
    status_code: 103,
    config: {},
    devices: {},
    profiles: ["default"],
    ephemeral: false,
    description: "",
    type: "container",
    created_at: new Date().toISOString(),
    snapshots: new Map(),
    ...fields,
  };
}
