// A write LXD answers either at once (sync) or with an operation (LXD 6.8+ and newer Incus run
// more writes as operations): undefined when done, else the LxdOperation to wait on. For calls
// beyond a family's CRUD (restores, copies, moves) that collection.ts does not send.
import { type Method, untypedSend } from "../request/core.js";
import { unwrap } from "../request/envelope.js";
import type { Where } from "../request/pipeline.js";
import { LxdOperation, type StartDeps } from "./operation.js";

export interface WriteInit {
  path: Record<string, string>;
  project?: string | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Extra request headers (an `If-Match` ETag). */
  headers?: Record<string, string> | undefined;
}

/** Sends `method path`; the sync answer's metadata is handed to `sync` (undefined by default). */
export async function sendWrite(
  deps: StartDeps,
  at: Where,
  method: Method,
  path: string,
  init: WriteInit,
): Promise<LxdOperation | undefined> {
  const sent = await untypedSend(deps.core)(at, method, path, {
    params: { path: init.path, query: init.project !== undefined ? { project: init.project } : {} },
    ...(init.body !== undefined && { body: init.body }),
    ...(init.headers !== undefined && { headers: init.headers }),
    signal: init.signal,
  });
  const out = unwrap(sent.ctx, sent.status, sent.envelope);
  if (out.type === "sync") return undefined;
  const scope = deps.core.scope(at);
  return new LxdOperation(
    { hub: deps.hub, operations: deps.operations, remote: scope.remote, project: init.project ?? scope.project },
    out.operation,
    (m) => m,
  );
}
