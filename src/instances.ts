// Instance calls the helpers need: state, and state changes that return an operation handle.
import { syncMetadata } from "./envelope.js";
import { InvalidArgumentError } from "./errors.js";
import { startOperation, type LxdOperation, type StartDeps } from "./operation.js";
import type { components } from "./generated/lxd.js";
import type { IncusInstanceStateFields } from "./types-incus.js";

/** LXD's InstanceState, plus what Incus 6.0 adds (`started_at`, `os_info`). */
export type InstanceState = components["schemas"]["InstanceState"] & IncusInstanceStateFields;
export type InstanceStatePut = components["schemas"]["InstanceStatePut"];

export interface InstanceCallOptions {
  project?: string;
  signal?: AbortSignal;
}

export interface InstancesApi {
  /** `GET /1.0/instances/{name}/state`. */
  state(remote: string | undefined, name: string, options?: InstanceCallOptions): Promise<InstanceState>;
  /** Start, stop, restart, freeze or unfreeze; resolves with the operation handle (await `.wait()`). */
  setState(remote: string | undefined, name: string, change: InstanceStatePut & { action: string }, options?: InstanceCallOptions): Promise<LxdOperation>;
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name === "") throw new InvalidArgumentError("instance name must be a non-empty string");
  return name;
}

export function createInstances(deps: StartDeps): InstancesApi {
  return {
    async state(remote, name, options = {}) {
      const sent = await deps.core.send(remote, "GET", "/1.0/instances/{name}/state", {
        params: { path: { name: checkName(name) }, ...(options.project !== undefined && { query: { project: options.project } }) },
        signal: options.signal,
      });
      return syncMetadata<InstanceState>(sent);
    },
    setState(remote, name, change, options = {}) {
      return startOperation(deps, remote, "PUT", "/1.0/instances/{name}/state", {
        params: { path: { name: checkName(name) } },
        body: change,
        signal: options.signal,
        project: options.project,
      });
    },
  };
}
