// Envelope builders and an MSW server for the unit tests: shaped as LXD 5.0.2 answers.
import { randomUUID } from "node:crypto";
import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createLxd } from "../../src/index.js";
import type { Operation } from "../../src/types.js";

export const BASE = "https://lxd.test:8443";

export function op(overrides: Partial<Operation> = {}): Operation {
  return {
    id: randomUUID(),
    class: "task",
    description: "Executing command",
    created_at: "2026-11-27T01:00:00Z",
    updated_at: "2026-11-27T01:00:00Z",
    status: "Running",
    status_code: 103,
    resources: { instances: ["/1.0/instances/c1"] },
    metadata: {},
    may_cancel: false,
    err: "",
    location: "none",
    ...overrides,
  };
}

export const sync = (metadata: unknown, init?: ResponseInit) =>
  HttpResponse.json({ type: "sync", status: "Success", status_code: 200, operation: "", error_code: 0, error: "", metadata }, init);

export const asyncOp = (operation: Operation) =>
  HttpResponse.json(
    {
      type: "async",
      status: "Operation created",
      status_code: 100,
      operation: `/1.0/operations/${operation.id}`,
      error_code: 0,
      error: "",
      metadata: operation,
    },
    { status: 202, headers: { Location: `/1.0/operations/${operation.id}` } },
  );

/** LXD's error envelope; `status` is the HTTP status (LXD uses error_code, but /wait says 200). */
export const lxdError = (errorCode: number, error: string, status = errorCode) =>
  HttpResponse.json({ type: "error", status: "", status_code: 0, operation: "", error_code: errorCode, error, metadata: null }, { status });

/** One MSW server per test file, strict about unhandled requests. */
export function useMockServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export const client = () => createLxd({ remotes: { test: { url: BASE } }, defaultRemote: "test" });
