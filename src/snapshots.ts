// Instance snapshots: list, create, restore, delete. Each change is an LXD operation.
import { syncMetadata } from "./envelope.js";
import type { components } from "./generated/lxd.js";
import { checkInstanceCall, projectQuery, type InstanceCallOptions } from "./instance-call.js";
import { namesOf } from "./listing.js";
import { call, type Call } from "./mutator.js";
import { startOperation, type LxdOperation, type StartDeps } from "./operation.js";
import { checkBoolean, checkSegment, checkText } from "./validate.js";

export type InstanceSnapshot = components["schemas"]["InstanceSnapshot"];

export interface SnapshotsApi {
  /** Snapshot names, or with `recursion: true` the InstanceSnapshot objects (one request). */
  list: Call<[instance: string], InstanceCallOptions & { recursion?: boolean }, string[] | InstanceSnapshot[]>;
  /** `POST /snapshots` → the operation. `expiresAt` is an ISO date. */
  create: Call<[instance: string, snapshot: string], InstanceCallOptions & { stateful?: boolean; expiresAt?: string }, LxdOperation>;
  /** `PUT /1.0/instances/{name}` with `restore` → the operation. */
  restore: Call<[instance: string, snapshot: string], InstanceCallOptions & { stateful?: boolean }, LxdOperation>;
  delete: Call<[instance: string, snapshot: string], InstanceCallOptions, LxdOperation>;
}

const SNAPSHOTS = "/1.0/instances/{name}/snapshots";

export function createSnapshots(deps: StartDeps): SnapshotsApi {
  const list = call<[string], InstanceCallOptions & { recursion?: boolean }, string[] | InstanceSnapshot[]>(
    "snapshots.list",
    1,
    async (remote, [name], o) => {
      checkInstanceCall("snapshots.list", name, o);
      checkBoolean("snapshots.list", "recursion", o.recursion);
      const path = { name };
      const query = projectQuery(o.project);
      const { signal } = o;
      if (!o.recursion) return namesOf(syncMetadata(await deps.core.send(remote, "GET", SNAPSHOTS, { params: { path, query }, signal })));
      const sent = await deps.core.send(remote, "GET", SNAPSHOTS, { params: { path, query: { ...query, recursion: 1 } }, signal });
      return syncMetadata(sent) ?? [];
    },
  );

  const create = call<[string, string], InstanceCallOptions & { stateful?: boolean; expiresAt?: string }, LxdOperation>(
    "snapshots.create",
    2,
    async (remote, [name, snapshot], o) => {
      checkInstanceCall("snapshots.create", name, o);
      checkSegment("snapshots.create", "snapshot name", snapshot);
      checkBoolean("snapshots.create", "stateful", o.stateful);
      if (o.expiresAt !== undefined) checkText("snapshots.create", "expiresAt", o.expiresAt);
      return startOperation(deps, remote, "POST", "/1.0/instances/{name}/snapshots", {
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

  const restore = call<[string, string], InstanceCallOptions & { stateful?: boolean }, LxdOperation>(
    "snapshots.restore",
    2,
    async (remote, [name, snapshot], o) => {
      checkInstanceCall("snapshots.restore", name, o);
      checkSegment("snapshots.restore", "snapshot name", snapshot);
      checkBoolean("snapshots.restore", "stateful", o.stateful);
      return startOperation(deps, remote, "PUT", "/1.0/instances/{name}", {
        params: { path: { name } },
        body: { restore: snapshot, ...(o.stateful !== undefined && { stateful: o.stateful }) },
        signal: o.signal,
        project: o.project,
      });
    },
  );

  const remove = call<[string, string], InstanceCallOptions, LxdOperation>("snapshots.delete", 2, async (remote, [name, snapshot], o) => {
    checkInstanceCall("snapshots.delete", name, o);
    checkSegment("snapshots.delete", "snapshot name", snapshot);
    return startOperation(deps, remote, "DELETE", "/1.0/instances/{name}/snapshots/{snapshot}", {
      params: { path: { name, snapshot } },
      signal: o.signal,
      project: o.project,
    });
  });

  return { list, create, restore, delete: remove };
}
