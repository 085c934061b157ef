// The virtual LXD's storage buckets (`/1.0/storage-pools/{pool}/buckets`), on the virtual family
// (collection.ts), with Incus 6.0.4's answers (curl on its unix socket; LXD 5.0.2 has no
// buckets, and the client refuses them before sending where `storage_buckets` is not announced):
// a `dir` pool without MinIO refuses every bucket (500 "Failed creating storage bucket: Failed
// connecting to bucket: Couldn't find the MinIO client tool"), a missing pool or bucket is 404 in
// the server's words. A test may seed buckets through `items` to exercise the other calls.
import { http } from "msw";
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

export interface MockStorageBucket extends VirtualItem {
  description: string;
}

const NAME = /^[a-z0-9][a-z0-9.-]{2,62}$/;
const NOT_FOUND = "Storage bucket not found";

/** The pools' drivers, by name (storage.ts). */
type Pools = () => Map<string, { name: string; driver: string }>;

export function mockStorageBuckets(ctx: MockContext, pools: Pools) {
  const family = virtualFamily<MockStorageBucket>(ctx, {
    path: "/1.0/storage-pools/:pool/buckets",
    lifecycle: "storage-bucket",
    perProject: true,
    notFound: NOT_FOUND,
    exists: () => [409, "A bucket for that name already exists"],
    noRename: true,
    create: (b, parents) => {
      const name = String(b.name);
      if (!NAME.test(name))
        return [
          500,
          "Failed creating storage bucket: Bucket name must be between 3 and 63 lowercase letters, numbers, periods or hyphens and must start with a letter or number",
        ];
      // Every pool of the virtual LXD is `dir`: a local bucket needs MinIO, which it has not.
      if (pools().get(parents.pool ?? "")?.driver === "dir")
        return [500, "Failed creating storage bucket: Failed connecting to bucket: Couldn't find the MinIO client tool"];
      return {
        name,
        description: typeof b.description === "string" ? b.description : "",
        config: (b.config as Record<string, string>) ?? {},
      };
    },
    view: (b) => ({ name: b.name, description: b.description, config: b.config, s3_url: "", location: "none" }),
  });
  const list = `${ctx.base}/1.0/storage-pools/:pool/buckets`;
  const one = `${list}/:name`;
  const inProject = (request: Request, pool: string) =>
    family.items(new URL(request.url).searchParams.get("project") ?? "default", { pool });
  const handlers = [
    // A bucket is reached through its pool: none without it.
    ...(["get", "post", "put", "patch", "delete"] as const).flatMap((m) =>
      [list, one, `${one}/keys`, `${one}/keys/:key`].map((path) =>
        http[m](path, ({ params }) =>
          pools().has(String(params.pool)) ? undefined : ctx.error(404, "Failed loading storage pool: Storage pool not found"),
        ),
      ),
    ),
    // The writes and the keys word a missing bucket as their own failure.
    ...(["put", "patch", "delete"] as const).map((m) =>
      http[m](one, ({ request, params }) =>
        inProject(request, String(params.pool)).has(String(params.name))
          ? undefined
          : ctx.error(404, `Failed ${m === "delete" ? "deleting" : "updating"} storage bucket: ${NOT_FOUND}`),
      ),
    ),
    ...(["get", "post"] as const).flatMap((m) =>
      [`${one}/keys`, `${one}/keys/:key`].map((path) =>
        http[m](path, ({ request, params }) =>
          inProject(request, String(params.pool)).has(String(params.name))
            ? ctx.ok([])
            : ctx.error(404, `Failed loading storage bucket: ${NOT_FOUND}`),
        ),
      ),
    ),
    ...family.handlers,
  ];
  return { items: family.items, handlers };
}
