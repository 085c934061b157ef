// Custom storage volume backups (extension `custom_volume_backup`), a family on the collection
// helper (collection.ts) under the pool and volume: list, get, rename and delete; create (an
// operation), export as a stream, and import of an exported tarball as a new custom volume
// (`POST /1.0/storage-pools/{pool}/volumes/custom` with the tarball as the body and X-LXD-name,
// as LXD's Go client's CreateStoragePoolVolumeFromBackup sends it). Never buffered whole.
import { collection, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { openDownload, typedBody } from "../request/download.js";
import { RawBody } from "../request/raw-body.js";
import { checkBoolean, checkSegment, checkText } from "../utils/validate.js";
import { type BackupExport, checkTarball } from "./instance-backups.js";
import type { Bytes } from "./multipart.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, startOperation } from "./operation.js";
import { requireExtension } from "./server.js";

export type StorageVolumeBackup = components["schemas"]["StoragePoolVolumeBackup"];

const LIST = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}/backups";
const ITEM = "/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}/backups/{backupName}";
const EXTENSION = "custom_volume_backup";

export interface VolumeBackupCreateOptions extends ProjectOptions {
  /** When LXD deletes the backup by itself (ISO date). */
  expiresAt?: string;
  /** The volume without its snapshots. */
  volumeOnly?: boolean;
  /** The storage driver's own format: restorable only onto the same driver. */
  optimizedStorage?: boolean;
  /** `gzip` (LXD's default), `none`, … */
  compression?: string;
}

export interface VolumeBackupsApi<L extends Lead = Flat> {
  /** The volume's backups' names. */
  list: Call<[pool: string, volume: string], ProjectOptions, string[], L>;
  get: Call<[pool: string, volume: string, backup: string], ProjectOptions, StorageVolumeBackup, L>;
  /** `POST` on the backup with its new name. */
  rename: Call<[pool: string, volume: string, backup: string, newName: string], ProjectOptions, LxdOperation | undefined, L>;
  delete: Call<[pool: string, volume: string, backup: string], ProjectOptions, LxdOperation | undefined, L>;
  /** `POST …/volumes/custom/{volume}/backups` → the operation. */
  create: Call<[pool: string, volume: string, backup: string], VolumeBackupCreateOptions, LxdOperation, L>;
  /** `GET …/backups/{backup}/export`: the tarball as a stream, unread. */
  export: Call<[pool: string, volume: string, backup: string], ProjectOptions, BackupExport, L>;
  /** A tarball from `export` as a new custom volume of `pool` (its name: the tarball's, or `name`) → the operation. */
  import: Call<[pool: string, tarball: Bytes], ProjectOptions & { name?: string }, LxdOperation, L>;
}

export function createVolumeBackups(deps: FamilyDeps): VolumeBackupsApi {
  const family = collection<typeof LIST, typeof ITEM, [pool: string, type: "custom", volume: string]>(deps, {
    name: "volumeBackups",
    list: LIST,
    item: ITEM,
    parents: ["poolName", "type", "volumeName"],
    key: "backupName",
    extension: EXTENSION,
  });
  const need = (at: Parameters<typeof deps.core.resolve>[0], extension: string, where: string, signal?: AbortSignal) =>
    requireExtension(deps.info, deps.core.resolve(at), extension, where, signal);
  const query = (o: ProjectOptions) => (o.project !== undefined ? { project: o.project } : {});

  const create = call<[string, string, string], VolumeBackupCreateOptions, LxdOperation>(
    "volumeBackups.create",
    3,
    async (at, [pool, volume, backup], o) => {
      const where = "volumeBackups.create";
      checkSegment(where, "pool", pool);
      checkSegment(where, "volume name", volume);
      checkSegment(where, "backup name", backup);
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      checkBoolean(where, "volumeOnly", o.volumeOnly);
      checkBoolean(where, "optimizedStorage", o.optimizedStorage);
      if (o.expiresAt !== undefined) checkText(where, "expiresAt", o.expiresAt, { empty: false });
      if (o.compression !== undefined) checkSegment(where, "compression", o.compression);
      await need(at, EXTENSION, where, o.signal);
      return startOperation(deps, at, "POST", LIST, {
        params: { path: { poolName: pool, type: "custom", volumeName: volume } },
        body: {
          name: backup,
          ...(o.expiresAt !== undefined && { expires_at: o.expiresAt }),
          ...(o.volumeOnly !== undefined && { volume_only: o.volumeOnly }),
          ...(o.optimizedStorage !== undefined && { optimized_storage: o.optimizedStorage }),
          ...(o.compression !== undefined && { compression_algorithm: o.compression }),
        },
        signal: o.signal,
        project: o.project,
      });
    },
  );

  const download = call<[string, string, string], ProjectOptions, BackupExport>(
    "volumeBackups.export",
    3,
    async (at, [pool, volume, backup], o) => {
      const where = "volumeBackups.export";
      checkSegment(where, "pool", pool);
      checkSegment(where, "volume name", volume);
      checkSegment(where, "backup name", backup);
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      await need(at, EXTENSION, where, o.signal);
      const { ctx, response } = await openDownload(deps.core, at, `${ITEM}/export`, {
        params: { path: { poolName: pool, type: "custom", volumeName: volume, backupName: backup }, query: query(o) },
        signal: o.signal,
      });
      const length = Number(response.headers.get("content-length") ?? Number.NaN);
      return {
        contentType: response.headers.get("content-type") ?? "",
        size: Number.isFinite(length) ? length : undefined,
        body: typedBody(ctx, response.body, o.signal),
      };
    },
  );

  const upload = call<[string, Bytes], ProjectOptions & { name?: string }, LxdOperation>(
    "volumeBackups.import",
    2,
    async (at, [pool, tarball], o) => {
      const where = "volumeBackups.import";
      checkSegment(where, "pool", pool);
      const body = checkTarball(where, tarball);
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      if (o.name !== undefined) checkSegment(where, "name", o.name);
      await need(at, EXTENSION, where, o.signal);
      if (o.name !== undefined) await need(at, "backup_override_name", where, o.signal);
      const headers: Record<string, string> = { "content-type": "application/octet-stream" };
      if (o.name !== undefined) headers["x-lxd-name"] = headers["x-incus-name"] = o.name;
      return startOperation(deps, at, "POST", "/1.0/storage-pools/{poolName}/volumes/{type}", {
        params: { path: { poolName: pool, type: "custom" } },
        body: new RawBody(body, headers),
        signal: o.signal,
        project: o.project,
      });
    },
  );

  // (remote, pool, volume, …) for the family's calls: the type is always `custom`.
  const custom =
    <F>(f: F) =>
    (at: unknown, pool: unknown, volume: unknown, ...rest: unknown[]) =>
      (f as (...a: unknown[]) => unknown)(at, pool, "custom", volume, ...rest);
  return {
    list: custom(family.list) as unknown as VolumeBackupsApi["list"],
    get: custom(family.get) as unknown as VolumeBackupsApi["get"],
    rename: custom(family.rename) as unknown as VolumeBackupsApi["rename"],
    delete: custom(family.delete) as unknown as VolumeBackupsApi["delete"],
    create,
    export: download,
    import: upload,
  };
}
