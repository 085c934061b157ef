// Images: list, get, aliases, import from local tarballs (unified, or split metadata + rootfs as
// multipart), export as a stream, delete. Uploads and downloads stream: an image is never held
// in memory unless the caller hands it over as bytes.
import type { ProjectOptions } from "./options.js";
import type { Core } from "../request/core.js";
import { openDownload, typedBody } from "../request/download.js";
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError } from "../utils/errors.js";
import type { components } from "../generated/lxd.js";
import { projectQuery } from "./instance-call.js";
import { multipart, type Bytes } from "./multipart.js";
import { call, type Call, type Flat, type Lead, type Args } from "./mutator.js";
import { type LxdOperation, type MetadataReader, type StartDeps, startOperation } from "./operation.js";
import { RawBody } from "../request/raw-body.js";
import { listQuery, namesOf } from "./listing.js";
import type { InfoCache } from "./server.js";
import { checkBoolean, checkSegment, checkSignal, checkText } from "../utils/validate.js";
import { copyImage, type ImageCopyOptions, type ImageCopyResult } from "./image-copy.js";
import type { Where } from "../request/pipeline.js";

type Schemas = components["schemas"];
export type Image = Schemas["Image"];
export type ImageAliasesEntry = Schemas["ImageAliasesEntry"];
export type { Bytes as ImageBytes };

export type ImageCallOptions = ProjectOptions;

export interface ImageListOptions extends ImageCallOptions {
  /** Image objects instead of fingerprints (one request). */
  recursion?: boolean;
  filter?: string;
  /** Every project (extension `images_all_projects`: Incus; not LXD 5.0). */
  allProjects?: boolean;
}

/** A unified tarball (metadata and rootfs in one), or the two tarballs of a split image. */
export type ImageTarballs =
  | Bytes
  | { metadata: Bytes; rootfs: Bytes /** `rootfs.img` for a VM image; default `rootfs`. */; rootfsName?: "rootfs" | "rootfs.img" };

export interface ImportOptions extends ImageCallOptions {
  public?: boolean;
  /** The file name LXD records (unified images). */
  filename?: string;
  /** Image properties (`os`, `release`, `description`, ...), over those of metadata.yaml. */
  properties?: Record<string, string>;
}

/** What the import operation reports on success. */
export interface ImportMetadata {
  fingerprint?: string;
  size?: string;
  [key: string]: unknown;
}

/** An import's metadata, its typed fields checked. */
const readImportMetadata: MetadataReader<ImportMetadata> = ({ fingerprint, size, ...rest }) => ({
  ...rest,
  ...(typeof fingerprint === "string" && { fingerprint }),
  ...(typeof size === "string" && { size }),
});

export interface ImageExport {
  /** `unified`: one tarball; `split`: multipart/form-data with `metadata` and `rootfs` parts. */
  type: "unified" | "split";
  contentType: string;
  /** From Content-Disposition, when LXD sends one. */
  filename: string | undefined;
  body: ReadableStream<Uint8Array>;
}

export interface ImagesApi<L extends Lead = Flat> {
  list(...a: Args<L, [options?: ImageListOptions & { recursion?: false }]>): Promise<string[]>;
  list(...a: Args<L, [options: ImageListOptions & { recursion: true }]>): Promise<Image[]>;
  get: Call<[fingerprint: string], ImageCallOptions, Image, L>;
  /** Uploads local tarballs (`POST /1.0/images`) → the operation; its metadata has the `fingerprint`. */
  import: Call<[tarballs: ImageTarballs], ImportOptions, LxdOperation<ImportMetadata>, L>;
  /** `GET /1.0/images/{fingerprint}/export` as a stream, unread. */
  export: Call<[fingerprint: string], ImageCallOptions, ImageExport, L>;
  delete: Call<[fingerprint: string], ImageCallOptions, LxdOperation, L>;
  /**
   * Copies an image (a fingerprint, a prefix of one, or an alias) to another server `to` (a
   * remote's name or a connection's scope): `direct`, the target pulls it from the source, or
   * `relay`, streamed through the client. Resolves once the target has it, aliases included.
   */
  copy: Call<[image: string, to: Where], ImageCopyOptions, ImageCopyResult, L>;
  readonly aliases: {
    /** Alias entries (name, target fingerprint, description). */
    list: Call<[], ImageCallOptions, ImageAliasesEntry[], L>;
    get: Call<[name: string], ImageCallOptions, ImageAliasesEntry, L>;
    create: Call<[name: string, fingerprint: string], ImageCallOptions & { description?: string }, void, L>;
    delete: Call<[name: string], ImageCallOptions, void, L>;
  };
}

function checkBytes(where: string, what: string, v: unknown): Bytes {
  if (
    v instanceof Uint8Array ||
    (typeof Blob !== "undefined" && v instanceof Blob) ||
    (typeof ReadableStream !== "undefined" && v instanceof ReadableStream)
  )
    return v as Bytes;
  throw new InvalidArgumentError(`${where}: ${what} must be a Uint8Array, a Blob or a ReadableStream`);
}

function checkScope(where: string, o: ImageCallOptions): void {
  if (o.project !== undefined) checkSegment(where, "project", o.project);
  checkSignal(where, o.signal);
}

/** The upload: the tarball itself, or a multipart body; LXD's headers (and Incus's names for them). */
function uploadBody(tarballs: ImageTarballs, o: ImportOptions): RawBody {
  const where = "images.import";
  const headers: Record<string, string> = {};
  const header = (name: string, value: string) => {
    headers[`x-lxd-${name}`] = value;
    headers[`x-incus-${name}`] = value;
  };
  checkBoolean(where, "public", o.public);
  if (o.public) header("public", "true");
  if (o.properties !== undefined) {
    if (typeof o.properties !== "object" || o.properties === null) throw new InvalidArgumentError(`${where}: properties must be an object`);
    for (const [k, v] of Object.entries(o.properties)) checkText(where, `properties.${k}`, v);
    header("properties", new URLSearchParams(o.properties).toString());
  }
  if (o.filename !== undefined) header("filename", checkSegment(where, "filename", o.filename));
  if (typeof tarballs === "object" && tarballs !== null && "metadata" in tarballs && "rootfs" in tarballs) {
    const rootfsName = tarballs.rootfsName ?? "rootfs";
    if (rootfsName !== "rootfs" && rootfsName !== "rootfs.img")
      throw new InvalidArgumentError(`${where}: rootfsName is "rootfs" or "rootfs.img"`);
    const { body, contentType } = multipart([
      { name: "metadata", filename: "metadata.tar.gz", data: checkBytes(where, "metadata", tarballs.metadata) },
      { name: rootfsName, filename: `${rootfsName}.tar.gz`, data: checkBytes(where, "rootfs", tarballs.rootfs) },
    ]);
    return new RawBody(body, { ...headers, "content-type": contentType });
  }
  return new RawBody(checkBytes(where, "the tarball", tarballs), { ...headers, "content-type": "application/octet-stream" });
}

function filenameOf(disposition: string | null): string | undefined {
  const m = disposition && /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

export function createImages(deps: StartDeps & { info: InfoCache }): ImagesApi {
  const core: Core = deps.core;

  const list = call<[], ImageListOptions, string[] | Image[]>("images.list", 0, async (remote, _, o) => {
    checkBoolean("images.list", "recursion", o.recursion);
    const query = await listQuery(deps, remote, o, "images.list", "images_all_projects", "api_filtering");
    const { signal } = o;
    if (!o.recursion) return namesOf(syncMetadata(await core.send(remote, "GET", "/1.0/images", { params: { query }, signal })));
    return syncMetadata(await core.send(remote, "GET", "/1.0/images", { params: { query: { ...query, recursion: 1 } }, signal }));
  });

  const get = call<[string], ImageCallOptions, Image>("images.get", 1, async (remote, [fingerprint], o) => {
    checkScope("images.get", o);
    const sent = await core.send(remote, "GET", "/1.0/images/{fingerprint}", {
      params: { path: { fingerprint }, query: projectQuery(o.project) },
      signal: o.signal,
    });
    return syncMetadata(sent);
  });

  const upload = call<[ImageTarballs], ImportOptions, LxdOperation<ImportMetadata>>("images.import", 1, async (remote, [tarballs], o) => {
    checkScope("images.import", o);
    return startOperation<ImportMetadata, "POST", "/1.0/images">(
      deps,
      remote,
      "POST",
      "/1.0/images",
      {
        body: uploadBody(tarballs, o),
        signal: o.signal,
        project: o.project,
      },
      readImportMetadata,
    );
  });

  const download = call<[string], ImageCallOptions, ImageExport>("images.export", 1, async (remote, [fingerprint], o) => {
    checkScope("images.export", o);
    const { ctx, response } = await openDownload(core, remote, "/1.0/images/{fingerprint}/export", {
      params: { path: { fingerprint }, query: projectQuery(o.project) },
      signal: o.signal,
    });
    const contentType = response.headers.get("content-type") ?? "";
    return {
      type: /multipart/i.test(contentType) ? "split" : "unified",
      contentType,
      filename: filenameOf(response.headers.get("content-disposition")),
      // A failure mid-read (an abort, a reset) is a typed error, as every request's.
      body: typedBody(ctx, response.body, o.signal),
    };
  });

  const remove = call<[string], ImageCallOptions, LxdOperation>("images.delete", 1, async (remote, [fingerprint], o) => {
    checkScope("images.delete", o);
    return startOperation(deps, remote, "DELETE", "/1.0/images/{fingerprint}", {
      params: { path: { fingerprint } },
      signal: o.signal,
      project: o.project,
    });
  });

  const aliases: ImagesApi["aliases"] = {
    list: call("images.aliases.list", 0, async (remote, _, o: ImageCallOptions) => {
      checkScope("images.aliases.list", o);
      const sent = await core.send(remote, "GET", "/1.0/images/aliases", {
        params: { query: { recursion: 1, ...projectQuery(o.project) } },
        signal: o.signal,
      });
      return syncMetadata(sent) ?? [];
    }),
    get: call("images.aliases.get", 1, async (remote, [name]: [string], o: ImageCallOptions) => {
      checkScope("images.aliases.get", o);
      const sent = await core.send(remote, "GET", "/1.0/images/aliases/{name}", {
        params: { path: { name }, query: projectQuery(o.project) },
        signal: o.signal,
      });
      return syncMetadata(sent);
    }),
    create: call(
      "images.aliases.create",
      2,
      async (remote, [name, target]: [string, string], o: ImageCallOptions & { description?: string }) => {
        checkScope("images.aliases.create", o);
        checkSegment("images.aliases.create", "alias", name);
        checkSegment("images.aliases.create", "fingerprint", target);
        if (o.description !== undefined) checkText("images.aliases.create", "description", o.description);
        const sent = await core.send(remote, "POST", "/1.0/images/aliases", {
          params: { query: projectQuery(o.project) },
          body: { name, target, ...(o.description !== undefined && { description: o.description }) },
          signal: o.signal,
        });
        syncMetadata(sent);
      },
    ),
    delete: call("images.aliases.delete", 1, async (remote, [name]: [string], o: ImageCallOptions) => {
      checkScope("images.aliases.delete", o);
      const sent = await core.send(remote, "DELETE", "/1.0/images/aliases/{name}", {
        params: { path: { name }, query: projectQuery(o.project) },
        signal: o.signal,
      });
      syncMetadata(sent);
    }),
  };

  const copy = call<[string, Where], ImageCopyOptions, ImageCopyResult>("images.copy", 2, (from, [ref, to], o) =>
    copyImage(
      deps,
      {
        // An alias first (as lxc does), else a fingerprint or a prefix of one.
        resolve: async (at, name, p) => {
          const alias = await aliases.get(at, name, p).catch(() => undefined);
          return get(at, alias?.target ?? name, p);
        },
        exportImage: (at, fingerprint, p) => download(at, fingerprint, p),
        importImage: (at, body, contentType, p) => {
          checkScope("images.import", p);
          const unified = uploadBody(body, p);
          const sent = contentType ? new RawBody(unified.body, { ...unified.headers, "content-type": contentType }) : unified;
          return startOperation<ImportMetadata, "POST", "/1.0/images">(
            deps,
            at,
            "POST",
            "/1.0/images",
            { body: sent, signal: p.signal, project: p.project },
            readImportMetadata,
          );
        },
        createAlias: (at, name, target, p) => aliases.create(at, name, target, p),
      },
      from,
      ref,
      to,
      o,
    ),
  );

  return { list: list as ImagesApi["list"], get, import: upload, export: download, delete: remove, copy, aliases };
}
