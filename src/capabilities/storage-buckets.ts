// Storage buckets (S3 object storage in a pool): a family on the collection helper (collection.ts)
// where the server has the `storage_buckets` extension (UnsupportedError naming it elsewhere).
// Whether a pool can hold buckets is the driver's and the server's answer: Incus refuses one on a
// `dir` pool without MinIO (500), LXD 5.0 has no buckets at all. No rename: LXD has none.
import { unwrap } from "../request/envelope.js";
import { untypedSend } from "../request/core.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkSegment } from "../utils/validate.js";
import { type BodyFor, type CollectionApi, collection, type Family, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { LxdOperation } from "./operation.js";
import { requireExtension } from "./server.js";

const LIST = "/1.0/storage-pools/{poolName}/buckets";
const ITEM = "/1.0/storage-pools/{poolName}/buckets/{bucketName}";
const KEYS = "/1.0/storage-pools/{poolName}/buckets/{bucketName}/keys";
const KEY = "/1.0/storage-pools/{poolName}/buckets/{bucketName}/keys/{keyName}";
const EXTENSION = "storage_buckets";

export type StorageBucket = components["schemas"]["StorageBucket"];
export type StorageBucketKey = components["schemas"]["StorageBucketKey"];

type Buckets<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [pool: string], L>;
type Keys<L extends Lead> = CollectionApi<typeof KEYS, typeof KEY, [pool: string, bucket: string], L>;

/** A bucket's access keys: list, get, create, update, patch, delete (no rename in LXD). */
export type StorageBucketKeysApi<L extends Lead = Flat> = Pick<Keys<L>, "list" | "get" | "create" | "update" | "patch" | "delete">;

export interface StorageBucketsApi<L extends Lead = Flat>
  extends Pick<Buckets<L>, "list" | "get" | "update" | "patch" | "delete" | "watch"> {
  /**
   * `POST …/buckets`: the admin key the server made for it (extension
   * `storage_buckets_create_credentials`), else undefined, or the operation where the server runs one.
   */
  create: Call<[pool: string, body: BodyFor<"POST", typeof LIST>], ProjectOptions, StorageBucketKey | LxdOperation | undefined, L>;
  /** The bucket's access keys, after `pool, bucket`. */
  readonly keys: StorageBucketKeysApi<L>;
}

/** The storage buckets family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const storageBucketsFamily: Family<typeof LIST, typeof ITEM, [pool: string]> = {
  name: "storageBuckets",
  list: LIST,
  item: ITEM,
  parents: ["poolName"],
  key: "bucketName",
  extension: EXTENSION,
  allProjectsExtension: "storage_buckets_all_projects",
};

/** A bucket's keys' paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const storageBucketKeysFamily: Family<typeof KEYS, typeof KEY, [pool: string, bucket: string]> = {
  name: "storageBuckets.keys",
  list: KEYS,
  item: KEY,
  parents: ["poolName", "bucketName"],
  key: "keyName",
  extension: EXTENSION,
};

export function createStorageBuckets(deps: FamilyDeps): StorageBucketsApi {
  const family = collection(deps, storageBucketsFamily);
  const create = call<[string, BodyFor<"POST", typeof LIST>], ProjectOptions, StorageBucketKey | LxdOperation | undefined>(
    "storageBuckets.create",
    2,
    async (at, [pool, body], o) => {
      const where = "storageBuckets.create";
      checkSegment(where, "pool", pool);
      if (typeof body !== "object" || body === null || Array.isArray(body))
        throw new InvalidArgumentError(`${where}: the body must be an object`);
      checkSegment(where, "bucket name", (body as { name?: unknown }).name);
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      await requireExtension(deps.info, deps.core.resolve(at), EXTENSION, where, o.signal);
      const sent = await untypedSend(deps.core)(at, "POST", LIST, {
        params: { path: { poolName: pool }, query: o.project !== undefined ? { project: o.project } : {} },
        body,
        signal: o.signal,
      });
      const out = unwrap(sent.ctx, sent.status, sent.envelope);
      if (out.type === "sync") return (out.metadata as StorageBucketKey | null) ?? undefined;
      const scope = deps.core.scope(at);
      return new LxdOperation(
        { hub: deps.hub, operations: deps.operations, remote: scope.remote, project: o.project ?? scope.project },
        out.operation,
        (m) => m,
      );
    },
  );
  const keys = collection(deps, storageBucketKeysFamily);
  return {
    list: family.list,
    get: family.get,
    update: family.update,
    patch: family.patch,
    delete: family.delete,
    watch: family.watch,
    create,
    keys: { list: keys.list, get: keys.get, create: keys.create, update: keys.update, patch: keys.patch, delete: keys.delete },
  };
}
