// Storage pools: a family on the collection helper (collection.ts) with the driver checked before
// sending, and the pool's resources (space and inodes). LXD has no pool rename (no POST on a
// pool), so this family has none. Pools are server-wide: a project only filters `used_by`.
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkSegment } from "../utils/validate.js";
import { type CollectionApi, collection, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { CallOptions } from "./options.js";
import { checkDriver, checkedFirst } from "./storage-kinds.js";

const LIST = "/1.0/storage-pools";
const ITEM = "/1.0/storage-pools/{poolName}";

export type StoragePool = components["schemas"]["StoragePool"];
export type StoragePoolResources = components["schemas"]["ResourcesStoragePool"];

type Pools<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

/** list, get, create, update (PUT), patch, delete (no rename: LXD cannot rename a pool), resources. */
export interface StoragePoolsApi<L extends Lead = Flat>
  extends Pick<Pools<L>, "list" | "get" | "create" | "update" | "patch" | "delete" | "watch"> {
  /** `GET /1.0/storage-pools/{name}/resources`: space and inodes, used and total. */
  resources: Call<[pool: string], CallOptions, StoragePoolResources, L>;
}

export function createStoragePools(deps: FamilyDeps): StoragePoolsApi {
  const family = collection<typeof LIST, typeof ITEM>(deps, { name: "storagePools", list: LIST, item: ITEM, key: "poolName" });
  const resources = call<[string], CallOptions, StoragePoolResources>("storagePools.resources", 1, async (at, [pool], o) => {
    checkSegment("storagePools.resources", "pool", pool);
    return syncMetadata(
      await deps.core.send(at, "GET", "/1.0/storage-pools/{name}/resources", { params: { path: { name: pool } }, signal: o.signal }),
    );
  });
  // (remote, body, …): the driver is LXD's fixed word, checked with the body.
  const create = checkedFirst(family.create, ([, body]) => {
    if (typeof body === "object" && body !== null && !Array.isArray(body))
      checkDriver("storagePools.create", (body as { driver?: unknown }).driver);
  });
  // (remote, options?, …): a pool is in no project, so there is nothing to list across them.
  const list = checkedFirst(family.list, ([, o]) => {
    if (typeof o === "object" && o !== null && (o as { allProjects?: unknown }).allProjects !== undefined)
      throw new InvalidArgumentError("storagePools.list: storage pools are server-wide; `allProjects` does not apply");
  });
  return {
    list,
    get: family.get,
    create,
    update: family.update,
    patch: family.patch,
    delete: family.delete,
    watch: family.watch,
    resources,
  };
}
