// Type tests of the storage families, checked by `tsc -p .`, never run: pools, volumes, volume
// snapshots and buckets typed from their paths, volume types and list forms, the writes that a
// server answers at once or with an operation, and what does not compile (a pool rename, a
// volume type LXD lacks, numbers in a config, a missing remote in the flat form).
import { expectTypeOf } from "vitest";
import type { components } from "../../src/generated/lxd.js";
import type { Lxd, LxdOperation, StorageVolumeState, VolumeType, Watch } from "../../src/index.js";

type Schemas = components["schemas"];
declare const lxd: Lxd;

export async function pools() {
  const conn = lxd.remote("local");
  expectTypeOf(await conn.storagePools.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await conn.storagePools.list({ recursion: true })).toEqualTypeOf<Schemas["StoragePool"][]>();
  // Options without `recursion` list names (collection.ts's ListedAs).
  expectTypeOf(await conn.storagePools.list({ project: "p" })).toEqualTypeOf<string[]>();
  expectTypeOf(await conn.profiles.list({ filter: "name eq web" })).toEqualTypeOf<string[]>();
  expectTypeOf(await conn.storagePools.get("data")).toEqualTypeOf<Schemas["StoragePool"]>();
  expectTypeOf(await lxd.storagePools.get("local", "data", (p) => p.driver)).toEqualTypeOf<string | undefined>();
  expectTypeOf(await conn.storagePools.resources("data")).toEqualTypeOf<Schemas["ResourcesStoragePool"]>();
  // Pool writes: at once on LXD 5.0 and Incus, an operation on newer LXD.
  expectTypeOf(await conn.storagePools.create({ name: "data", driver: "dir" })).toEqualTypeOf<LxdOperation | undefined>();
  await conn.storagePools.patch("data", { description: "d", config: { "rsync.bwlimit": "10MiB" } });
  // @ts-expect-error LXD cannot rename a pool: the family has no rename
  await conn.storagePools.rename("data", "other");
  // @ts-expect-error config values are strings
  await conn.storagePools.create({ name: "data", driver: "dir", config: { size: 5 } });
  // @ts-expect-error the flat form takes the remote first
  await lxd.storagePools.resources();
}

export async function volumes() {
  const conn = lxd.remote("local").project("p");
  const v = conn.storageVolumes;
  expectTypeOf(await v.list("data")).toEqualTypeOf<string[]>();
  expectTypeOf(await v.list("data", { type: "custom", filter: "name eq v1" })).toEqualTypeOf<string[]>();
  expectTypeOf(await v.list("data", { recursion: true, allProjects: true })).toEqualTypeOf<Schemas["StorageVolume"][]>();
  expectTypeOf(await v.list("data", { recursion: false })).toEqualTypeOf<string[]>();
  expectTypeOf(await v.list("data", (names) => names.length)).toEqualTypeOf<number>();
  expectTypeOf(await v.listAll({ type: "container" })).toEqualTypeOf<string[]>();
  expectTypeOf(await v.get("data", "custom", "v1")).toEqualTypeOf<Schemas["StorageVolume"]>();
  expectTypeOf(await lxd.storageVolumes.get("local", "data", "virtual-machine", "vm1", (x) => x.content_type)).toEqualTypeOf<
    string | undefined
  >();
  // A plain volume is created at once on LXD 5.0 and Incus; a copy or newer LXD runs an operation.
  expectTypeOf(await v.create("data", "custom", { name: "v1", config: { size: "1GiB" }, content_type: "filesystem" })).toEqualTypeOf<
    LxdOperation | undefined
  >();
  // A rename and a move without another pool are done at once on LXD 5.0 and Incus (201).
  expectTypeOf(await v.rename("data", "custom", "v1", "v2")).toEqualTypeOf<LxdOperation | undefined>();
  expectTypeOf(await v.move("data", "custom", "v1", { pool: "other" })).toEqualTypeOf<LxdOperation | undefined>();
  expectTypeOf(await v.copy("data", "custom", "v1", { name: "v1-copy" }, { volumeOnly: true })).toEqualTypeOf<LxdOperation | undefined>();
  expectTypeOf(await v.state("data", "custom", "v1")).toEqualTypeOf<StorageVolumeState>();
  expectTypeOf<VolumeType>().toEqualTypeOf<"custom" | "container" | "virtual-machine" | "image">();
  // @ts-expect-error a volume type LXD does not have
  await v.get("data", "block", "v1");
  // @ts-expect-error the type is a list option, not a volume
  await v.list("data", { type: "files" });
  // @ts-expect-error a volume's config values are strings
  await v.patch("data", "custom", "v1", { config: { size: 1 } });
  // @ts-expect-error a copy says where to
  await v.copy("data", "custom", "v1");
}

export async function snapshots() {
  const s = lxd.remote("local").storageVolumes.snapshots;
  expectTypeOf(await s.list("data", "custom", "v1")).toEqualTypeOf<string[]>();
  expectTypeOf(await s.get("data", "custom", "v1", "s1")).toEqualTypeOf<Schemas["StorageVolumeSnapshot"]>();
  expectTypeOf(await s.create("data", "custom", "v1", "s1", { expiresAt: "2027-01-01T00:00:00Z" })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await s.restore("data", "custom", "v1", "s1")).toEqualTypeOf<LxdOperation | undefined>();
  expectTypeOf(await s.rename("data", "custom", "v1", "s1", "s2")).toEqualTypeOf<LxdOperation>();
  await s.update("data", "custom", "v1", "s1", { description: "before the upgrade" });
  // @ts-expect-error a snapshot takes the volume's description; its own is set with update
  await s.create("data", "custom", "v1", "s1", { description: "x" });
  // @ts-expect-error the snapshot's name
  await s.restore("data", "custom", "v1");
}

export async function buckets() {
  const b = lxd.remote("local").storageBuckets;
  expectTypeOf(await b.list("data", { recursion: true })).toEqualTypeOf<Schemas["StorageBucket"][]>();
  expectTypeOf(await b.create("data", { name: "b1" })).toEqualTypeOf<Schemas["StorageBucketKey"] | LxdOperation | undefined>();
  expectTypeOf(await b.keys.list("data", "b1", { recursion: true })).toEqualTypeOf<Schemas["StorageBucketKey"][]>();
  await b.keys.create("data", "b1", { name: "k1", role: "read-only" });
  // @ts-expect-error no bucket rename in LXD
  await b.rename("data", "b1", "b2");
}

export function watches() {
  const conn = lxd.remote("local");
  expectTypeOf(conn.storagePools.watch()).toEqualTypeOf<Watch<Schemas["StoragePool"]>>();
  expectTypeOf(conn.storageVolumes.watch("data", "custom", { allProjects: true })).toEqualTypeOf<Watch<Schemas["StorageVolume"]>>();
  expectTypeOf(lxd.storageVolumes.snapshots.watch("local", "data", "custom", "v1")).toEqualTypeOf<
    Watch<Schemas["StorageVolumeSnapshot"]>
  >();
  expectTypeOf(conn.storageBuckets.watch("data")).toEqualTypeOf<Watch<Schemas["StorageBucket"]>>();
  // @ts-expect-error a volume watch names its pool and type
  conn.storageVolumes.watch("data");
}
