// Instance calls the helpers need: state, and state changes that return an operation handle.
import { syncMetadata } from "./envelope.js";
import { InvalidArgumentError } from "./errors.js";
import { checkBoolean, checkInstanceCall, checkInt } from "./validate.js";
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
  setState(
    remote: string | undefined,
    name: string,
    change: InstanceStatePut & { action: string },
    options?: InstanceCallOptions,
  ): Promise<LxdOperation>;
}

const ACTIONS = ["start", "stop", "restart", "freeze", "unfreeze"];

function checkChange(change: InstanceStatePut): void {
  if (typeof change !== "object" || change === null || typeof change.action !== "string" || !ACTIONS.includes(change.action)) {
    throw new InvalidArgumentError(`setState: action must be one of ${ACTIONS.join(", ")}`);
  }
  checkInt("setState", "timeout", change.timeout, -1, 0x7fffffff);
  for (const k of ["force", "stateful"] as const) checkBoolean("setState", k, change[k]);
}

export function createInstances(deps: StartDeps): InstancesApi {
  return {
    async state(remote, name, options) {
      options = checkInstanceCall("state", name, options);
      const sent = await deps.core.send(remote, "GET", "/1.0/instances/{name}/state", {
        params: { path: { name }, ...(options.project !== undefined && { query: { project: options.project } }) },
        signal: options.signal,
      });
      return syncMetadata<InstanceState>(sent);
    },
    async setState(remote, name, change, options) {
      options = checkInstanceCall("setState", name, options);
      checkChange(change);
      return startOperation(deps, remote, "PUT", "/1.0/instances/{name}/state", {
        params: { path: { name } },
        body: change,
        signal: options.signal,
        project: options.project,
      });
    },
  };
}
