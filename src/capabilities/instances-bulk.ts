// One state change for every instance of a project (`PUT /1.0/instances`, API extension
// "instance_bulk_state_change"): start, stop, restart, freeze or unfreeze them all in one
// operation. It acts on the whole project (the call's, else the connection's, else "default").
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension, type InfoCache } from "./server.js";
import type { components } from "../generated/lxd.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkBoolean, checkInstanceCall, checkInt } from "../utils/validate.js";

export type BulkStateChange = components["schemas"]["InstanceStatePut"] & { action: "start" | "stop" | "restart" | "freeze" | "unfreeze" };

export type SetAllStatesCall<L extends Lead = Flat> = Call<[change: BulkStateChange], ProjectOptions, LxdOperation, L>;

const ACTIONS: readonly string[] = ["start", "stop", "restart", "freeze", "unfreeze"];

export function createSetAllStates(deps: StartDeps & { info: InfoCache }): SetAllStatesCall {
  return call<[BulkStateChange], ProjectOptions, LxdOperation>("instances.setAllStates", 1, async (at, [change], o) => {
    const where = "instances.setAllStates";
    // The instance-name check of checkInstanceCall is not wanted here: only the options'.
    checkInstanceCall(where, "all", o);
    if (typeof change !== "object" || change === null || !ACTIONS.includes(change.action))
      throw new InvalidArgumentError(`${where}: action must be one of ${ACTIONS.join(", ")}`);
    checkInt(where, "timeout", change.timeout, -1, 0x7fffffff);
    for (const k of ["force", "stateful"] as const) checkBoolean(where, k, change[k]);
    await requireExtension(deps.info, deps.core.resolve(at), "instance_bulk_state_change", where, o.signal);
    return startOperation(deps, at, "PUT", "/1.0/instances", { body: { state: change }, signal: o.signal, project: o.project });
  });
}
