// Instance snapshots, a family on the collection helper (collection.ts): list, get, rename and
// delete as every family has them; create takes the snapshot's name and options, and restore is
// a PUT on the instance itself. Each change is an LXD operation.
import { type CollectionApi, collection, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import type { InfoCache } from "./server.js";
import { checkBoolean, checkInstanceCall, checkSegment, checkText } from "../utils/validate.js";

export type InstanceSnapshot = components["schemas"]["InstanceSnapshot"];

const LIST = "/1.0/instances/{name}/snapshots";
const ITEM = "/1.0/instances/{name}/snapshots/{snapshot}";

type Snapshots<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [instance: string], L>;

export interface SnapshotsApi<L extends Lead = Flat> extends Pick<Snapshots<L>, "list" | "get" | "rename" | "delete"> {
  /** `POST /snapshots` → the operation. `expiresAt` is an ISO date. */
  create: Call<[instance: string, snapshot: string], ProjectOptions & { stateful?: boolean; expiresAt?: string }, LxdOperation, L>;
  /** `PUT /1.0/instances/{name}` with `restore` → the operation. */
  restore: Call<[instance: string, snapshot: string], ProjectOptions & { stateful?: boolean }, LxdOperation, L>;
}

export function createSnapshots(deps: StartDeps & { info: InfoCache }): SnapshotsApi {
  const family = collection<typeof LIST, typeof ITEM, [instance: string]>(deps, {
    name: "instances.snapshots",
    list: LIST,
    item: ITEM,
    parents: ["name"],
    key: "snapshot",
  });

  const create = call<[string, string], ProjectOptions & { stateful?: boolean; expiresAt?: string }, LxdOperation>(
    "instances.snapshots.create",
    2,
    async (at, [name, snapshot], o) => {
      const where = "instances.snapshots.create";
      checkInstanceCall(where, name, o);
      checkSegment(where, "snapshot name", snapshot);
      checkBoolean(where, "stateful", o.stateful);
      if (o.expiresAt !== undefined) checkText(where, "expiresAt", o.expiresAt);
      return startOperation(deps, at, "POST", LIST, {
        params: { path: { name } },
        body: {
          name: snapshot,
          ...(o.stateful !== undefined && { stateful: o.stateful }),
          ...(o.expiresAt !== undefined && { expires_at: o.expiresAt }),
        },
        signal: o.signal,
        project: o.project,
      });
    },
  );

  const restore = call<[string, string], ProjectOptions & { stateful?: boolean }, LxdOperation>(
    "instances.snapshots.restore",
    2,
    async (at, [name, snapshot], o) => {
      const where = "instances.snapshots.restore";
      checkInstanceCall(where, name, o);
      checkSegment(where, "snapshot name", snapshot);
      checkBoolean(where, "stateful", o.stateful);
      return startOperation(deps, at, "PUT", "/1.0/instances/{name}", {
        params: { path: { name } },
        body: { restore: snapshot, ...(o.stateful !== undefined && { stateful: o.stateful }) },
        signal: o.signal,
        project: o.project,
      });
    },
  );

  return { list: family.list, get: family.get, rename: family.rename, delete: family.delete, create, restore };
}
