// A storage volume's snapshots: a family on the collection helper (collection.ts) under the
// volume's pool, type and name; create takes the snapshot's name and options, and restore is a
// PUT on the volume itself with `restore` (as instance snapshots restore, snapshots.ts).
import { checkSegment, checkText } from "../utils/validate.js";
import { type CollectionApi, collection, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, startOperation } from "./operation.js";
import { checkedFirst, checkVolumeType, type VolumeType } from "./storage-kinds.js";
import { sendWrite } from "./written.js";

const VOLUME = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}";
const LIST = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}/snapshots";
const ITEM = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}/snapshots/{snapshotName}";

export type StorageVolumeSnapshot = components["schemas"]["StorageVolumeSnapshot"];

/** A snapshot takes the volume's description (LXD 5.0 and Incus 6.0 ignore one given here): `update` sets its own. */
export interface VolumeSnapshotOptions extends ProjectOptions {
  /** When LXD deletes the snapshot, an ISO date. */
  expiresAt?: string;
}

type Snapshots<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [pool: string, type: VolumeType, volume: string], L>;

export interface VolumeSnapshotsApi<L extends Lead = Flat>
  extends Pick<Snapshots<L>, "list" | "get" | "update" | "patch" | "rename" | "delete" | "watch"> {
  /** `POST …/snapshots` → the operation. */
  create: Call<[pool: string, type: VolumeType, volume: string, snapshot: string], VolumeSnapshotOptions, LxdOperation, L>;
  /** `PUT` on the volume with `restore`: undefined when done at once (LXD 5.0, Incus 6.0), else the operation. */
  restore: Call<[pool: string, type: VolumeType, volume: string, snapshot: string], ProjectOptions, LxdOperation | undefined, L>;
}

export function createVolumeSnapshots(deps: FamilyDeps): VolumeSnapshotsApi {
  const family = collection<typeof LIST, typeof ITEM, [pool: string, type: VolumeType, volume: string]>(deps, {
    name: "storageVolumes.snapshots",
    list: LIST,
    item: ITEM,
    parents: ["poolName", "type", "volumeName"],
    key: "snapshotName",
  });
  // (remote, pool, type, …): the type is one of LXD's four words.
  const typed = <F extends (...a: never[]) => Promise<unknown>>(f: F, m: string): F =>
    checkedFirst(f, (a) => void checkVolumeType(`storageVolumes.snapshots.${m}`, a[2]));
  const checkItem = (where: string, pool: unknown, type: unknown, volume: unknown, snapshot: unknown, o: ProjectOptions) => {
    checkSegment(where, "pool", pool);
    checkVolumeType(where, type);
    checkSegment(where, "volume name", volume);
    checkSegment(where, "snapshot name", snapshot);
    if (o.project !== undefined) checkSegment(where, "project", o.project);
  };

  const create = call<[string, VolumeType, string, string], VolumeSnapshotOptions, LxdOperation>(
    "storageVolumes.snapshots.create",
    4,
    async (at, [pool, type, volume, snapshot], o) => {
      const where = "storageVolumes.snapshots.create";
      checkItem(where, pool, type, volume, snapshot, o);
      if (o.expiresAt !== undefined) checkText(where, "expiresAt", o.expiresAt);
      return startOperation(deps, at, "POST", LIST, {
        params: { path: { poolName: pool, type, volumeName: volume } },
        body: {
          name: snapshot,
          ...(o.expiresAt !== undefined && { expires_at: o.expiresAt }),
        },
        signal: o.signal,
        project: o.project,
      });
    },
  );

  const restore = call<[string, VolumeType, string, string], ProjectOptions, LxdOperation | undefined>(
    "storageVolumes.snapshots.restore",
    4,
    async (at, [pool, type, volume, snapshot], o) => {
      checkItem("storageVolumes.snapshots.restore", pool, type, volume, snapshot, o);
      return sendWrite(deps, at, "PUT", VOLUME, {
        path: { poolName: pool, type, volumeName: volume },
        project: o.project,
        body: { restore: snapshot },
        signal: o.signal,
      });
    },
  );

  return {
    list: typed(family.list, "list"),
    get: typed(family.get, "get"),
    update: typed(family.update, "update"),
    patch: typed(family.patch, "patch"),
    rename: typed(family.rename, "rename"),
    delete: typed(family.delete, "delete"),
    watch: ((...a: unknown[]) => {
      checkVolumeType("storageVolumes.snapshots.watch", a[2]);
      return (family.watch as (...x: unknown[]) => unknown)(...a);
    }) as VolumeSnapshotsApi["watch"],
    create,
    restore,
  };
}
