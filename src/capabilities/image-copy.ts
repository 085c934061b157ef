// Copies an image from one server to another, in either of LXD's two ways (the model is LXD's Go
// client, client/lxd_images.go CopyImage): `direct`, the target pulls it from the source
// (`POST /1.0/images` with an `image` source in `pull` mode: the source's address and
// certificate, and for a private image a one-time secret from `POST /1.0/images/{fp}/secret`),
// `push`, the source sends it to the target (extension `images_push_relay`: the target's
// `POST /1.0/images` with a `push` source answers a token operation holding a secret, which the
// source's `POST /1.0/images/{fp}/export` presents to the target's address), or `relay`, the
// source's export streamed through the client into the target's import, one chunk at a time (for
// servers that cannot reach each other). Aliases are carried over.
import type { Where } from "../request/pipeline.js";
import { InvalidArgumentError, LxdFetchError, OperationError } from "../utils/errors.js";
import { checkBoolean, checkFunction, checkSegment, checkText } from "../utils/validate.js";
import type { components } from "../generated/lxd.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension, type InfoCache } from "./server.js";

/** How the bytes travel: the target pulls from the source, the source pushes to the target, or the client carries them. */
export type ImageCopyMode = "direct" | "push" | "relay";

/** A copy's progress: LXD's download progress (direct) or the bytes the client relayed. */
export interface ImageCopyProgress {
  /** `download` (the target pulling, as LXD reports it), `push` (the source's export operation) or `relay` (bytes through the client). */
  stage: "download" | "push" | "relay";
  /** Bytes relayed so far (relay). */
  bytes?: number;
  /** The image's size in bytes, where known. */
  total?: number;
  /** 0–100, where known. */
  percent?: number;
  /** LXD's own words (`rootfs: 45% (12.3MB/s)`), direct and push. */
  text?: string;
}

export interface ImageCopyOptions extends ProjectOptions {
  /** Default `direct`, as `lxc image copy`. */
  mode?: ImageCopyMode;
  /** More aliases to create on the target (besides the source's, see `copyAliases`). */
  aliases?: string[];
  /** Carry the source's aliases over (default true). */
  copyAliases?: boolean;
  /** The target keeps the image up to date from the source (direct only: the target must reach the source). */
  autoUpdate?: boolean;
  /** Public on the target (default: private). */
  public?: boolean;
  /** The target's project (default: its scope's). */
  targetProject?: string;
  onProgress?: (p: ImageCopyProgress) => void;
}

export interface ImageCopyResult {
  fingerprint: string;
  mode: ImageCopyMode;
  /** The aliases the copy has on the target. */
  aliases: string[];
}

type Image = components["schemas"]["Image"];

/** What the copy sends with an import (images.ts's ImportOptions, restated: images.ts imports this file). */
interface ImportAs extends ProjectOptions {
  public?: boolean;
  filename?: string;
  properties?: Record<string, string>;
}

/** What the copy uses of the images capability. */
export interface ImageCalls {
  resolve(at: Where, ref: string, o: ProjectOptions): Promise<Image>;
  exportImage(
    at: Where,
    fingerprint: string,
    o: ProjectOptions,
  ): Promise<{ type: string; contentType: string; body: ReadableStream<Uint8Array> }>;
  /** Imports `body`: a unified tarball, or (with its content type) a split image's multipart export. */
  importImage(
    at: Where,
    body: ReadableStream<Uint8Array>,
    contentType: string | undefined,
    o: ImportAs,
  ): Promise<LxdOperation<{ fingerprint?: string }>>;
  createAlias(at: Where, name: string, target: string, o: ProjectOptions): Promise<void>;
}

type Deps = StartDeps & { info: InfoCache };

const WHERE = "images.copy";

function checkCopyOptions(o: ImageCopyOptions): ImageCopyMode {
  const mode = o.mode ?? "direct";
  if (mode !== "direct" && mode !== "push" && mode !== "relay")
    throw new InvalidArgumentError(`${WHERE}: mode is "direct", "push" or "relay"`);
  if (o.aliases !== undefined) {
    if (!Array.isArray(o.aliases)) throw new InvalidArgumentError(`${WHERE}: aliases must be an array of names`);
    for (const a of o.aliases) checkSegment(WHERE, "alias", a);
  }
  checkBoolean(WHERE, "copyAliases", o.copyAliases);
  checkBoolean(WHERE, "autoUpdate", o.autoUpdate);
  checkBoolean(WHERE, "public", o.public);
  if (o.targetProject !== undefined) checkSegment(WHERE, "targetProject", o.targetProject);
  if (o.project !== undefined) checkSegment(WHERE, "project", o.project);
  if (o.onProgress !== undefined) checkFunction(WHERE, "onProgress", o.onProgress);
  // The target refreshes from the address it pulled from: a relayed copy has none.
  if (mode !== "direct" && o.autoUpdate)
    throw new InvalidArgumentError(`${WHERE}: autoUpdate needs mode "direct" (the target must reach the source)`);
  return mode;
}

/** `rootfs: 45% (12.3MB/s)` → 45. */
const percentOf = (text: string): number | undefined => {
  const m = /(\d{1,3})%/.exec(text);
  return m ? Number(m[1]) : undefined;
};

export async function copyImage(
  deps: Deps,
  images: ImageCalls,
  from: Where,
  ref: string,
  to: Where,
  o: ImageCopyOptions,
): Promise<ImageCopyResult> {
  checkText(WHERE, "image", ref, { empty: false });
  const mode = checkCopyOptions(o);
  const source = deps.core.scope(from);
  const target = deps.core.scope(to);
  const sourceProject = o.project ?? source.project;
  const targetProject = o.targetProject ?? target.project;
  const { signal } = o;
  const sig = signal ? { signal } : {};

  const image = await images.resolve(from, ref, { ...(sourceProject !== undefined && { project: sourceProject }), ...sig });
  const fingerprint = image.fingerprint ?? "";
  const [sourceInfo, targetInfo] = await Promise.all([deps.info(from, false, signal), deps.info(to, false, signal)]);
  const sourceCert = sourceInfo.environment?.certificate ?? "";
  if (
    sourceCert !== "" &&
    sourceCert === targetInfo.environment?.certificate &&
    (sourceProject ?? "default") === (targetProject ?? "default")
  )
    throw new InvalidArgumentError(`${WHERE}: "${source.remote}" and "${target.remote}" are the same server and project: nothing to copy`);

  const names = [...(o.copyAliases === false ? [] : (image.aliases ?? []).flatMap((a) => (a.name ? [a.name] : []))), ...(o.aliases ?? [])];
  const aliases = [...new Set(names)];
  const into = { ...(targetProject !== undefined && { project: targetProject }), ...sig };

  if (mode === "relay") {
    const out = await images.exportImage(from, fingerprint, { ...(sourceProject !== undefined && { project: sourceProject }), ...sig });
    const total = image.size;
    let bytes = 0;
    const counted = out.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, next) {
          next.enqueue(chunk);
          bytes += chunk.byteLength;
          o.onProgress?.({
            stage: "relay",
            bytes,
            ...(total !== undefined && { total, percent: Math.floor((bytes * 100) / Math.max(total, 1)) }),
          });
        },
      }),
    );
    // A split export is multipart/form-data whose parts are named as the import reads them
    // (`metadata`, `rootfs` or `rootfs.img`): it goes through as it came, its content type kept.
    const op = await images.importImage(to, counted, out.type === "split" ? out.contentType : undefined, {
      ...into,
      ...(o.public !== undefined && { public: o.public }),
      ...(image.filename && { filename: image.filename }),
      ...(image.properties && { properties: image.properties }),
    });
    const done = await op.wait({ ...(signal && { signal }) });
    const got = done.metadata?.fingerprint ?? fingerprint;
    for (const a of aliases) await images.createAlias(to, a, got, into);
    return { fingerprint: got, mode, aliases };
  }

  if (mode === "push") {
    for (const at of [from, to]) await requireExtension(deps.info, deps.core.resolve(at), "images_push_relay", WHERE, signal);
    return pushImage(deps, from, to, image, aliases, targetInfo.environment, {
      ...o,
      ...(sourceProject !== undefined && { project: sourceProject }),
      ...(targetProject !== undefined && { targetProject }),
    });
  }

  const addresses = sourceInfo.environment?.addresses ?? [];
  if (addresses.length === 0)
    throw new InvalidArgumentError(`${WHERE}: "${source.remote}" does not listen on the network (no core.https_address): use mode "relay"`);
  // A private image: a one-time secret the target presents to the source (an operation on the source, cancelled after).
  let secretOp: LxdOperation | undefined;
  let secret: string | undefined;
  if (!image.public) {
    secretOp = await startOperation(deps, from, "POST", "/1.0/images/{fingerprint}/secret", {
      params: { path: { fingerprint } },
      signal,
      project: sourceProject,
    });
    const s = secretOp.current.metadata?.secret;
    if (typeof s !== "string") throw new LxdFetchError(`${WHERE}: "${source.remote}" gave no image secret`);
    secret = s;
  }
  try {
    const failures: string[] = [];
    for (const address of addresses) {
      const server = /^https?:\/\//.test(address) ? address : `https://${address}`;
      const op = await postPull(
        deps,
        to,
        {
          source: {
            type: "image",
            mode: "pull",
            server,
            protocol: "lxd",
            certificate: sourceCert,
            fingerprint,
            ...(secret !== undefined && { secret }),
            ...(sourceProject !== undefined && { project: sourceProject }),
          },
          ...(image.filename && { filename: image.filename }),
          ...(image.properties && { properties: image.properties }),
          ...(o.public !== undefined && { public: o.public }),
          ...(o.autoUpdate !== undefined && { auto_update: o.autoUpdate }),
          aliases: aliases.map((name) => ({ name })),
        },
        targetProject,
        signal,
      );
      const off = o.onProgress
        ? op.onUpdate((u) => {
            const text = u.metadata?.download_progress;
            if (typeof text === "string") {
              const percent = percentOf(text);
              o.onProgress?.({
                stage: "download",
                text,
                ...(percent !== undefined && { percent }),
                ...(image.size !== undefined && { total: image.size }),
              });
            }
          })
        : undefined;
      try {
        const done = await op.wait({ ...(signal && { signal }) });
        const got = typeof done.metadata?.fingerprint === "string" ? done.metadata.fingerprint : fingerprint;
        return { fingerprint: got, mode, aliases };
      } catch (err) {
        // The pull failed on the target: another of the source's addresses may be the one it
        // reaches (the Go client tries each). Anything else (an abort, a timeout) stops here,
        // the target's download cancelled so that no half-pulled image stays behind.
        if (!(err instanceof OperationError)) {
          await op.cancel().catch(() => undefined);
          throw err;
        }
        if (addresses.length === 1) throw err;
        failures.push(`${server}: ${err.message}`);
      } finally {
        off?.();
      }
    }
    throw new LxdFetchError(`${WHERE}: the target reached none of the source's addresses: ${failures.join("; ")}`);
  } finally {
    await secretOp?.cancel().catch(() => undefined);
  }
}

/**
 * Push mode: the target's token operation (its `secret`, the aliases, public and properties the
 * image gets there), then the source's export to each of the target's addresses in turn until
 * one succeeds. The token is cancelled afterwards, used or not, so no secret stays valid.
 */
async function pushImage(
  deps: Deps,
  from: Where,
  to: Where,
  image: Image,
  aliases: string[],
  target: { addresses?: string[]; certificate?: string } | undefined,
  o: ImageCopyOptions,
): Promise<ImageCopyResult> {
  const { signal } = o;
  const fingerprint = image.fingerprint ?? "";
  const addresses = target?.addresses ?? [];
  if (addresses.length === 0)
    throw new InvalidArgumentError(`${WHERE}: the target does not listen on the network (no core.https_address): use mode "relay"`);
  const named = aliases.map((name) => ({ name }));
  const token = await startOperation(deps, to, "POST", "/1.0/images", {
    body: {
      source: { mode: "push", fingerprint },
      aliases: named,
      ...(image.filename && { filename: image.filename }),
      ...(image.properties && { properties: image.properties }),
      ...(o.public !== undefined && { public: o.public }),
    } as never,
    signal,
    project: o.targetProject,
  });
  try {
    const secret = token.current.metadata?.secret;
    if (typeof secret !== "string") throw new LxdFetchError(`${WHERE}: the target gave no push secret`);
    const failures: string[] = [];
    for (const address of addresses) {
      const server = /^https?:\/\//.test(address) ? address : `https://${address}`;
      const op = await startOperation(deps, from, "POST", "/1.0/images/{fingerprint}/export", {
        params: { path: { fingerprint } },
        body: {
          target: server,
          certificate: target?.certificate ?? "",
          secret,
          aliases: named,
          ...(o.targetProject !== undefined && { project: o.targetProject }),
        },
        signal,
        project: o.project,
      });
      const off = o.onProgress
        ? op.onUpdate((u) => {
            for (const [key, text] of Object.entries(u.metadata ?? {})) {
              if (!key.endsWith("_progress") || typeof text !== "string") continue;
              const percent = percentOf(text);
              o.onProgress?.({
                stage: "push",
                text,
                ...(percent !== undefined && { percent }),
                ...(image.size !== undefined && { total: image.size }),
              });
            }
          })
        : undefined;
      try {
        await op.wait({ ...(signal && { signal }) });
        return { fingerprint, mode: "push", aliases };
      } catch (err) {
        // As in direct mode: another address may be the one the source reaches.
        if (!(err instanceof OperationError) || addresses.length === 1) throw err;
        failures.push(`${server}: ${err.message}`);
      } finally {
        off?.();
      }
    }
    throw new LxdFetchError(`${WHERE}: the source reached none of the target's addresses: ${failures.join("; ")}`);
  } finally {
    await token.cancel().catch(() => undefined);
  }
}

/** `POST /1.0/images` with a pull source → the target's operation. */
function postPull(deps: Deps, to: Where, body: object, project: string | undefined, signal: AbortSignal | undefined) {
  return startOperation(deps, to, "POST", "/1.0/images", {
    body: body as never,
    signal,
    project,
  });
}
