// Envelope builders and an MSW server for the unit tests: shaped as LXD 5.0.2 answers.
import { randomUUID } from "node:crypto";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createLxd } from "../../src/index.js";
import type { Operation } from "../../src/types/lxd.js";

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

// The virtual LXD's envelope builders: the unit tests answer exactly as it does.
export {
  asyncResponse as asyncOp,
  envelope,
  errorResponse as lxdError,
  syncResponse as sync,
} from "../../src/mock/envelopes.js";

/** One MSW server per test file, strict about unhandled requests. */
export function useMockServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export const client = () => createLxd({ remotes: { test: { url: BASE } }, defaultRemote: "test" });
