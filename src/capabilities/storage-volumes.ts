// Storage volumes of every content type (custom, container, virtual-machine, image): a family on
// the collection helper (collection.ts) under its pool and type, with the type checked before
// sending, lists of a whole pool or of every pool, copies and moves (to another name, pool or
// project, all on one server), usage, and the volume's snapshots (volume-snapshots.ts).
import { syncMetadata } from "../request/envelope.js";
import type { Where } from "../request/pipeline.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkBoolean, checkSegment } from "../utils/validate.js";
import { type CollectionApi, collection, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { listQuery } from "./listing.js";
import { type Args, type Call, call, type Flat, type Lead, type Mutator } from "./mutator.js";
import type { LxdOperation } from "./operation.js";
import { requireExtension } from "./server.js";
import { checkedFirst, checkVolumeType, type VolumeType } from "./storage-kinds.js";
import { createVolumeSnapshots, type VolumeSnapshotsApi } from "./volume-snapshots.js";
import { sendWrite } from "./written.js";
import { copyVolumeAcross, type VolumeMigrationOptions, type VolumeRelayDeps } from "./volume-migration.js";

/** A copy's or move's options; `mode` and `onProgress` apply between servers only. */
export type VolumeCopyOptions = VolumeMigrationOptions;

const POOL_LIST = "/1.0/storage-pools/{poolName}/volumes";
const LIST = "/1.0/storage-pools/{poolName}/volumes/{type}";
const ITEM = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}";
const EVERY_POOL = "/1.0/storage-volumes";

export type StorageVolume = components["schemas"]["StorageVolume"];
/** A volume's usage; `null` where the driver cannot measure it (Incus 6.0.4, a dir volume without a quota). */
export type StorageVolumeState = Omit<components["schemas"]["StorageVolumeState"], "usage"> & {
  usage?: components["schemas"]["StorageVolumeStateUsage"] | null;
};
export type { StorageDriver, VolumeType } from "./storage-kinds.js";

export interface VolumeListOptions extends ProjectOptions {
  /**
   * Only this content type; without it, every type, named `type/name` (`custom/v1`,
   * `container/c1`). LXD lists snapshots too, as `volume/snapshot` (`custom/v1/s1`).
   */
  type?: VolumeType;
  /** LXD's filter expression, e.g. `name eq v1`. */
  filter?: string;
  /** Every project (extension `storage_volumes_all_projects`). */
  allProjects?: boolean;
  /** The objects instead of their names, in the same single request. */
  recursion?: boolean;
}

/** Where a copy or a move goes: another name, pool, project or server (at least one). */
export interface VolumeDestination {
  /**
   * Another server (a remote's name or a connection's scope): custom volumes only, through LXD's
   * migration (volume-migration.ts); the call then resolves once the copy is done.
   */
  remote?: Where;
  /** The new name (default: the same). */
  name?: string;
  /** The pool it goes to (default: the same). */
  pool?: string;
  /** The project it goes to (default: the call's). */
  project?: string;
}

// Not `O extends { recursion?: false }`: that all-optional (weak) type does not take `{ type }`,
// which shares none of its properties, so such options would type as the union.
type Listed<O> = O extends { recursion: true }
  ? StorageVolume[]
  : O extends { recursion: false | undefined }
    ? string[]
    : O extends { recursion: boolean }
      ? string[] | StorageVolume[]
      : string[];

/** A list of volumes: names (see `type`), or with `recursion: true` the objects; a mutator may follow. */
export interface VolumeList<P extends unknown[], L extends Lead> {
  <const O extends VolumeListOptions | undefined = undefined>(...a: Args<L, [...P, options?: O]>): Promise<Listed<O>>;
  <R>(...a: Args<L, [...P, mutator: Mutator<string[], R>]>): Promise<Awaited<R>>;
  <const O extends VolumeListOptions, R>(...a: Args<L, [...P, options: O, mutator: Mutator<Listed<O>, R>]>): Promise<Awaited<R>>;
}

type Volumes<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [pool: string, type: VolumeType], L>;

export interface StorageVolumesApi<L extends Lead = Flat>
  extends Pick<Volumes<L>, "get" | "create" | "update" | "patch" | "delete" | "watch"> {
  /**
   * `POST` on the volume with its new name: undefined when done at once (LXD 5.0 and Incus 6.0
   * answer 201 with the new URL, which LXD's description does not give), else the operation.
   */
  rename: Call<[pool: string, type: VolumeType, name: string, newName: string], ProjectOptions, LxdOperation | undefined, L>;
  /** A pool's volumes: of one `type`, or of every type (`type/name`). */
  list: VolumeList<[pool: string], L>;
  /** Every pool's volumes (`pool/type/name`), `GET /1.0/storage-volumes` (extension `storage_volumes_all`). */
  listAll: VolumeList<[], L>;
  /**
   * Copies a volume on the same server (`POST` on the destination pool's volumes with a `copy`
   * source): the operation, or undefined where the server copied at once. To another server
   * (`to.remote`, custom volumes): LXD's migration in `mode` pull (default), push or relay, resolved
   * (undefined) once done; a failed copy cancels both sides' operations.
   */
  copy: Call<[pool: string, type: VolumeType, name: string, to: VolumeDestination], VolumeCopyOptions, LxdOperation | undefined, L>;
  /**
   * Moves a volume to another pool or project of the same server, or renames it (`POST` on the
   * volume): the operation (another pool: 202), or undefined where the server did it at once (a
   * new name only: 201). To another server (`to.remote`): a copy there, then the source deleted
   * only once the copy succeeded.
   */
  move: Call<[pool: string, type: VolumeType, name: string, to: VolumeDestination], VolumeCopyOptions, LxdOperation | undefined, L>;
  /**
   * `GET …/state`: the volume's usage (extension `storage_volume_state`). LXD 5.0.2 refuses it
   * for a dir volume without a quota (500 "Not supported").
   */
  state: Call<[pool: string, type: VolumeType, name: string], ProjectOptions, StorageVolumeState, L>;
  /** The volume's snapshots: list, get, create, update, patch, rename, delete, restore. */
  readonly snapshots: VolumeSnapshotsApi<L>;
}

/** `/1.0/storage-pools/p/volumes/custom/v1?project=x` → `[p, custom, v1]`; a snapshot's `…/v1/snapshots/s1` → `[p, custom, v1/s1]`. */
function volumePath(url: string): [string, string, string] {
  const path = url.split("?")[0]!;
  const at = path.indexOf("/storage-pools/");
  const [pool = "", , type = "", volume = "", , snapshot] = path
    .slice(at < 0 ? 0 : at + "/storage-pools/".length)
    .split("/")
    .map(decodeURIComponent);
  return [pool, type, snapshot === undefined ? volume : `${volume}/${snapshot}`];
}

export function createStorageVolumes(deps: FamilyDeps & { relay?: VolumeRelayDeps | undefined }): StorageVolumesApi {
  const family = collection<typeof LIST, typeof ITEM, [pool: string, type: VolumeType]>(deps, {
    name: "storageVolumes",
    list: LIST,
    item: ITEM,
    parents: ["poolName", "type"],
    key: "volumeName",
  });
  const send = deps.core.send as unknown as (at: Where, method: "GET", path: string, init: object) => ReturnType<typeof deps.core.send>;
  // (remote, pool, type, …): the type is one of LXD's four words.
  const typed = <F extends (...a: never[]) => Promise<unknown>>(f: F, m: string): F =>
    checkedFirst(f, (a) => void checkVolumeType(`storageVolumes.${m}`, a[2]));

  const listing = (where: string, everyPool: boolean) =>
    call<unknown[], VolumeListOptions, unknown>(where, everyPool ? 0 : 1, async (at, args, o) => {
      const pool = everyPool ? undefined : checkSegment(where, "pool", args[0]);
      const type = o.type === undefined ? undefined : checkVolumeType(where, o.type);
      checkBoolean(where, "recursion", o.recursion);
      if (everyPool) await requireExtension(deps.info, deps.core.resolve(at), "storage_volumes_all", where, o.signal);
      const q = await listQuery(deps, at, o, where, "storage_volumes_all_projects", "storage_volume_api_filtering");
      const path = everyPool ? (type ? `${EVERY_POOL}/{type}` : EVERY_POOL) : type ? LIST : POOL_LIST;
      const sent = await send(at, "GET", path, {
        params: {
          path: { ...(pool !== undefined && { poolName: pool }), ...(type !== undefined && { type }) },
          query: o.recursion ? { ...q, recursion: 1 } : q,
        },
        signal: o.signal,
      });
      const listed = (syncMetadata(sent) ?? []) as string[] | StorageVolume[];
      if (o.recursion) return listed;
      // A name alone is ambiguous across types (and pools): say which, as the URL does.
      return (listed as string[]).map((url) => {
        const [p, t, n] = volumePath(url);
        return type !== undefined ? n : everyPool ? `${p}/${t}/${n}` : `${t}/${n}`;
      });
    });

  const destination = (where: string, to: unknown): VolumeDestination => {
    if (typeof to !== "object" || to === null || Array.isArray(to))
      throw new InvalidArgumentError(`${where}: the destination must be an object`);
    const d = to as VolumeDestination;
    if (d.name === undefined && d.pool === undefined && d.project === undefined && d.remote === undefined)
      throw new InvalidArgumentError(`${where}: the destination needs a name, a pool, a project or a remote`);
    if (d.name !== undefined) checkSegment(where, "destination name", d.name);
    if (d.pool !== undefined) checkSegment(where, "destination pool", d.pool);
    if (d.project !== undefined) checkSegment(where, "destination project", d.project);
    return d;
  };
  const checkItem = (where: string, pool: unknown, type: unknown, name: unknown, o: ProjectOptions) => {
    checkSegment(where, "pool", pool);
    checkVolumeType(where, type);
    checkSegment(where, "volume name", name);
    if (o.project !== undefined) checkSegment(where, "project", o.project);
  };

  // Another server: the destination's remote differs from the call's.
  const across = (at: Where, d: VolumeDestination) => d.remote !== undefined && deps.core.resolve(d.remote) !== deps.core.resolve(at);
  const copyAcross = async (
    where: string,
    at: Where,
    pool: string,
    type: VolumeType,
    name: string,
    d: VolumeDestination,
    o: VolumeCopyOptions,
  ) => {
    if (type !== "custom") throw new InvalidArgumentError(`${where}: only custom volumes go to another server (instances carry their own)`);
    await copyVolumeAcross(deps, where, at, d.remote, pool, name, { pool: d.pool ?? pool, name: d.name ?? name, project: d.project }, o);
  };

  const copy = call<[string, VolumeType, string, VolumeDestination], VolumeCopyOptions, LxdOperation | undefined>(
    "storageVolumes.copy",
    4,
    async (at, [pool, type, name, to], o) => {
      const where = "storageVolumes.copy";
      checkItem(where, pool, type, name, o);
      const d = destination(where, to);
      checkBoolean(where, "volumeOnly", o.volumeOnly);
      if (across(at, d)) return void (await copyAcross(where, at, pool, type, name, d, o));
      return sendWrite(deps, at, "POST", LIST, {
        path: { poolName: d.pool ?? pool, type },
        project: d.project ?? o.project,
        body: {
          name: d.name ?? name,
          type,
          source: {
            type: "copy",
            pool,
            name,
            ...(o.volumeOnly !== undefined && { volume_only: o.volumeOnly }),
            // Into another project, the source's is the call's (else the request's project would be taken for it).
            ...(d.project !== undefined && { project: o.project ?? deps.core.scope(at).project ?? "default" }),
          },
        },
        signal: o.signal,
      });
    },
  );

  const move = call<[string, VolumeType, string, VolumeDestination], VolumeCopyOptions, LxdOperation | undefined>(
    "storageVolumes.move",
    4,
    async (at, [pool, type, name, to], o) => {
      const where = "storageVolumes.move";
      checkItem(where, pool, type, name, o);
      const d = destination(where, to);
      if (across(at, d)) {
        // LXD moves a volume within one server only: a copy there, then the source deleted once it is safe.
        await copyAcross(where, at, pool, type, name, d, o);
        const removed = await family.delete(at, pool, type, name, { ...(o.project !== undefined && { project: o.project }) });
        await removed?.wait(o.signal ? { signal: o.signal } : {});
        return undefined;
      }
      return sendWrite(deps, at, "POST", ITEM, {
        path: { poolName: pool, type, volumeName: name },
        project: o.project,
        // Into another project LXD 5.0.2 reads the pool from the body too (without it: 404 "Storage pool not found").
        body: {
          name: d.name ?? name,
          ...((d.pool !== undefined || d.project !== undefined) && { pool: d.pool ?? pool }),
          ...(d.project !== undefined && { project: d.project }),
        },
        signal: o.signal,
      });
    },
  );

  const state = call<[string, VolumeType, string], ProjectOptions, StorageVolumeState>(
    "storageVolumes.state",
    3,
    async (at, [pool, type, name], o) => {
      const where = "storageVolumes.state";
      checkItem(where, pool, type, name, o);
      await requireExtension(deps.info, deps.core.resolve(at), "storage_volume_state", where, o.signal);
      return syncMetadata<StorageVolumeState>(
        await deps.core.send(at, "GET", "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}/state", {
          params: { path: { poolName: pool, type, volumeName: name }, query: o.project !== undefined ? { project: o.project } : {} },
          signal: o.signal,
        }),
      );
    },
  );

  return {
    list: listing("storageVolumes.list", false) as unknown as StorageVolumesApi["list"],
    listAll: listing("storageVolumes.listAll", true) as unknown as StorageVolumesApi["listAll"],
    get: typed(family.get, "get"),
    create: typed(family.create, "create"),
    update: typed(family.update, "update"),
    patch: typed(family.patch, "patch"),
    rename: typed(family.rename, "rename") as unknown as StorageVolumesApi["rename"],
    delete: typed(family.delete, "delete"),
    // (remote, pool, type, options?): a pool's volumes of one type, their snapshots' events included.
    watch: ((...a: unknown[]) => {
      checkVolumeType("storageVolumes.watch", a[2]);
      return (family.watch as (...x: unknown[]) => unknown)(...a);
    }) as StorageVolumesApi["watch"],
    copy,
    move,
    state,
    snapshots: createVolumeSnapshots(deps),
  };
}
