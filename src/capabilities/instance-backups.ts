// Instance backups, a family on the collection helper (collection.ts) under the instance: list,
// get, rename and delete as every family has them; create with LXD's options (an operation),
// export as a stream, and import of an exported tarball as a new instance (`POST /1.0/instances`
// with the tarball as the body, as LXD's Go client's CreateInstanceFromBackup sends it). The
// tarball streams both ways: it is never held in memory unless the caller hands it over as bytes.
import { type CollectionApi, collection, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { openDownload, typedBody } from "../request/download.js";
import { RawBody } from "../request/raw-body.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkBoolean, checkInstanceCall, checkSegment, checkText } from "../utils/validate.js";
import { projectQuery } from "./instance-call.js";
import type { Bytes } from "./multipart.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, startOperation } from "./operation.js";
import { requireExtension } from "./server.js";

export type InstanceBackup = components["schemas"]["InstanceBackup"];

const LIST = "/1.0/instances/{name}/backups";
const ITEM = "/1.0/instances/{name}/backups/{backup}";

export interface BackupCreateOptions extends ProjectOptions {
  /** When LXD deletes the backup by itself (ISO date); default: never. */
  expiresAt?: string;
  /** The instance without its snapshots. */
  instanceOnly?: boolean;
  /** The storage driver's own format (btrfs send, zfs send): restorable only onto the same driver. */
  optimizedStorage?: boolean;
  /** `gzip` (LXD's default), `bzip2`, `xz`, `lzma`, `zstd`, `none`, … (extension `backup_compression_algorithm`). */
  compression?: string;
}

export interface BackupImportOptions extends ProjectOptions {
  /** The new instance's name, instead of the one in the tarball (extension `backup_override_name`). */
  name?: string;
  /** The storage pool it goes to, instead of the one in the tarball (extension `container_backup_override_pool`). */
  pool?: string;
}

export interface BackupExport {
  contentType: string;
  /** The byte count LXD announces, when it does. */
  size: number | undefined;
  /** The tarball, unread: read it to the end, or cancel it, to free the connection. */
  body: ReadableStream<Uint8Array>;
}

type Backups<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [instance: string], L>;

export interface InstanceBackupsApi<L extends Lead = Flat> extends Pick<Backups<L>, "list" | "get" | "rename" | "delete"> {
  /** `POST /1.0/instances/{name}/backups` → the operation; the backup exists once it succeeds. */
  create: Call<[instance: string, backup: string], BackupCreateOptions, LxdOperation, L>;
  /** `GET …/backups/{backup}/export`: the tarball as a stream, unread. */
  export: Call<[instance: string, backup: string], ProjectOptions, BackupExport, L>;
  /**
   * `POST /1.0/instances` with an exported tarball as the body → the operation that creates the
   * instance from it (its name: the tarball's, or `name`). A failed import leaves no instance.
   */
  import: Call<[tarball: Bytes], BackupImportOptions, LxdOperation, L>;
}

/** The tarball as the pipeline sends it, refused before sending when it is none of the three. */
export function checkTarball(where: string, v: unknown): Bytes {
  if (
    v instanceof Uint8Array ||
    (typeof Blob !== "undefined" && v instanceof Blob) ||
    (typeof ReadableStream !== "undefined" && v instanceof ReadableStream)
  )
    return v as Bytes;
  throw new InvalidArgumentError(`${where}: the tarball must be a Uint8Array, a Blob or a ReadableStream`);
}

export function createInstanceBackups(deps: FamilyDeps): InstanceBackupsApi {
  const family = collection<typeof LIST, typeof ITEM, [instance: string]>(deps, {
    name: "backups",
    list: LIST,
    item: ITEM,
    parents: ["name"],
    key: "backup",
    extension: "container_backup",
  });
  const need = (at: Parameters<typeof deps.core.resolve>[0], extension: string, where: string, signal?: AbortSignal) =>
    requireExtension(deps.info, deps.core.resolve(at), extension, where, signal);

  const create = call<[string, string], BackupCreateOptions, LxdOperation>("backups.create", 2, async (at, [name, backup], o) => {
    const where = "backups.create";
    checkInstanceCall(where, name, o);
    checkSegment(where, "backup name", backup);
    checkBoolean(where, "instanceOnly", o.instanceOnly);
    checkBoolean(where, "optimizedStorage", o.optimizedStorage);
    if (o.expiresAt !== undefined) checkText(where, "expiresAt", o.expiresAt, { empty: false });
    if (o.compression !== undefined) checkSegment(where, "compression", o.compression);
    await need(at, "container_backup", where, o.signal);
    if (o.compression !== undefined) await need(at, "backup_compression_algorithm", where, o.signal);
    return startOperation(deps, at, "POST", LIST, {
      params: { path: { name } },
      body: {
        name: backup,
        ...(o.expiresAt !== undefined && { expires_at: o.expiresAt }),
        // Both spellings: `container_only` is what servers before `instance_only` read.
        ...(o.instanceOnly !== undefined && { instance_only: o.instanceOnly, container_only: o.instanceOnly }),
        ...(o.optimizedStorage !== undefined && { optimized_storage: o.optimizedStorage }),
        ...(o.compression !== undefined && { compression_algorithm: o.compression }),
      },
      signal: o.signal,
      project: o.project,
    });
  });

  const download = call<[string, string], ProjectOptions, BackupExport>("backups.export", 2, async (at, [name, backup], o) => {
    const where = "backups.export";
    checkInstanceCall(where, name, o);
    checkSegment(where, "backup name", backup);
    await need(at, "container_backup", where, o.signal);
    const { ctx, response } = await openDownload(deps.core, at, "/1.0/instances/{name}/backups/{backup}/export", {
      params: { path: { name, backup }, query: projectQuery(o.project) },
      signal: o.signal,
    });
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    return {
      contentType: response.headers.get("content-type") ?? "",
      size: Number.isFinite(length) ? length : undefined,
      body: typedBody(ctx, response.body, o.signal),
    };
  });

  const upload = call<[Bytes], BackupImportOptions, LxdOperation>("backups.import", 1, async (at, [tarball], o) => {
    const where = "backups.import";
    if (o.project !== undefined) checkSegment(where, "project", o.project);
    const body = checkTarball(where, tarball);
    if (o.name !== undefined) checkSegment(where, "name", o.name);
    if (o.pool !== undefined) checkSegment(where, "pool", o.pool);
    await need(at, "container_backup", where, o.signal);
    if (o.name !== undefined) await need(at, "backup_override_name", where, o.signal);
    if (o.pool !== undefined) await need(at, "container_backup_override_pool", where, o.signal);
    // LXD reads X-LXD-*, Incus X-Incus-*: both are sent, each server ignores the other's.
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    for (const p of ["lxd", "incus"]) {
      if (o.name !== undefined) headers[`x-${p}-name`] = o.name;
      if (o.pool !== undefined) headers[`x-${p}-pool`] = o.pool;
    }
    return startOperation(deps, at, "POST", "/1.0/instances", {
      body: new RawBody(body, headers),
      signal: o.signal,
      project: o.project,
    });
  });

  return { list: family.list, get: family.get, rename: family.rename, delete: family.delete, create, export: download, import: upload };
}
