// The virtual LXD's images: upload (a unified tarball as the body, or multipart `metadata` +
// `rootfs`), list, get by fingerprint or prefix, export (the same bytes, or the same multipart
// form), delete, and aliases. The fingerprint is LXD's: sha256 of the tarball(s). Copies from
// another virtual LXD: pulled (the target fetches the export), or pushed (the target's token
// operation holds a secret; the source's `POST …/export` uploads to the target with it).
import { http, HttpResponse, type PathParams } from "msw";
import { multipart } from "../capabilities/multipart.js";
import type { components } from "../generated/lxd.js";
import type { MockContext } from "./context.js";

type Schemas = components["schemas"];

export interface MockImage {
  fingerprint: string;
  parts: { name: string; data: Uint8Array }[];
  properties: Record<string, string>;
  public: boolean;
  uploaded_at: string;
}

async function sha256(parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.byteLength) - p.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** gzip, xz or zstd magic: enough to refuse what is no tarball at all, as LXD does. */
const looksCompressed = (b: Uint8Array) =>
  (b[0] === 0x1f && b[1] === 0x8b) || (b[0] === 0xfd && b[1] === 0x37) || (b[0] === 0x28 && b[1] === 0xb5);

export function imageStore(ctx: MockContext, builtinAliases: string[]) {
  const { base, ok, error } = ctx;
  const images = new Map<string, MockImage>();
  const aliases = new Map<string, { name: string; target: string; description: string; type: string }>();
  const autoUpdate = new Map<string, boolean>();
  /** Push tokens by secret: what the pushed image gets (aliases, public, properties), and the token's operation. */
  const tokens = new Map<string, { body: Schemas["ImagesPost"]; op: ReturnType<MockContext["newOp"]> }>();
  const find = (ref: unknown) => [...images.values()].find((i) => i.fingerprint.startsWith(String(ref)) && String(ref).length > 0);
  const view = (i: MockImage) => ({
    fingerprint: i.fingerprint,
    filename: "",
    size: i.parts.reduce((n, p) => n + p.data.byteLength, 0),
    properties: i.properties,
    public: i.public,
    aliases: [...aliases.values()].filter((a) => a.target === i.fingerprint).map(({ name, description }) => ({ name, description })),
    architecture: "x86_64",
    type: "container",
    uploaded_at: i.uploaded_at,
    created_at: i.uploaded_at,
    auto_update: autoUpdate.get(i.fingerprint) ?? false,
    cached: false,
  });

  async function received(request: Request): Promise<MockImage["parts"] | string> {
    if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
      const form = await request.formData();
      const meta = form.get("metadata");
      const rootfsName = form.has("rootfs.img") ? "rootfs.img" : "rootfs";
      const rootfs = form.get(rootfsName);
      if (!(meta instanceof Blob) || !(rootfs instanceof Blob)) return "Invalid multipart image";
      return [
        { name: "metadata", data: new Uint8Array(await meta.arrayBuffer()) },
        { name: rootfsName, data: new Uint8Array(await rootfs.arrayBuffer()) },
      ];
    }
    return [{ name: "unified", data: new Uint8Array(await request.arrayBuffer()) }];
  }

  const handlers = [
    http.get(`${base}/1.0/images`, ({ request }) => {
      const recursion = new URL(request.url).searchParams.get("recursion") === "1";
      return ok([...images.values()].map((i) => (recursion ? view(i) : `/1.0/images/${i.fingerprint}`)));
    }),
    // A copy from another server, direct: the image pulled from `source.server` (another virtual
    // LXD, reached through the same MSW handlers), its export read with the secret the source gave.
    http.post(`${base}/1.0/images`, async ({ request }) => {
      if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) return undefined;
      const body = (await request.json()) as Schemas["ImagesPost"];
      const src = body.source;
      if (src?.mode === "push") {
        const secret = crypto.randomUUID().replaceAll("-", "");
        const op = ctx.newOp("token", "Image download token", {}, { secret, aliases: body.aliases ?? [], public: body.public ?? false });
        tokens.set(secret, { body, op });
        return ctx.accepted(op);
      }
      if (src?.type !== "image" || src.mode !== "pull" || !src.server || !src.fingerprint) return error(400, "Unsupported image source");
      const m = ctx.newOp("task", "Downloading image", {}, {});
      const secret = src.secret ? `?secret=${encodeURIComponent(src.secret)}` : "";
      void (async () => {
        try {
          const got = await fetch(`${src.server}/1.0/images/${src.fingerprint}/export${secret}`);
          if (!got.ok) throw new Error(`Failed to download image: ${got.status}`);
          const parts = await received(got as unknown as Request);
          if (typeof parts === "string") throw new Error(parts);
          const fingerprint = await sha256(parts.map((p) => p.data));
          if (images.has(fingerprint)) throw new Error("Image with same fingerprint already exists");
          images.set(fingerprint, {
            fingerprint,
            parts,
            properties: body.properties ?? {},
            public: body.public ?? false,
            uploaded_at: new Date().toISOString(),
          });
          for (const a of body.aliases ?? [])
            if (a.name) aliases.set(a.name, { name: a.name, target: fingerprint, description: a.description ?? "", type: "container" });
          autoUpdate.set(fingerprint, body.auto_update ?? false);
          ctx.finish(m, "Success", "", { fingerprint, size: String(parts.reduce((n, p) => n + p.data.byteLength, 0)) });
        } catch (e) {
          ctx.finish(m, "Failure", (e as Error).message);
        }
      })();
      return ctx.accepted(m);
    }),
    http.post(`${base}/1.0/images/:fingerprint/secret`, ({ params }) => {
      const i = find(params.fingerprint);
      if (!i) return error(404, "Image not found");
      const m = ctx.newOp(
        "token",
        "Image download token",
        { images: [`/1.0/images/${i.fingerprint}`] },
        {
          secret: crypto.randomUUID().replaceAll("-", ""),
          fingerprint: i.fingerprint,
        },
      );
      return ctx.accepted(m);
    }),
    // The source's side of a push: its image uploaded to `target` with the target's secret.
    http.post(`${base}/1.0/images/:fingerprint/export`, async ({ params, request }) => {
      const i = find(params.fingerprint);
      if (!i) return error(404, "Image not found");
      const { target, secret } = (await request.json()) as Schemas["ImageExportPost"];
      const m = ctx.newOp("task", "Downloading image", {}, {});
      void (async () => {
        try {
          const upload =
            i.parts.length === 1
              ? { body: i.parts[0]!.data, contentType: "application/octet-stream" }
              : multipart(i.parts.map((p) => ({ name: p.name, filename: `${p.name}.tar.gz`, data: p.data })));
          const sent = await fetch(`${target}/1.0/images`, {
            method: "POST",
            headers: { "content-type": upload.contentType, "x-lxd-secret": secret ?? "", "x-lxd-fingerprint": i.fingerprint },
            body: upload.body,
            duplex: "half",
          } as RequestInit);
          const answer = (await sent.json()) as { error?: string; operation?: string };
          if (!sent.ok || !answer.operation) throw new Error(answer.error || `push refused: ${sent.status}`);
          const done = (await (await fetch(`${target}${answer.operation}/wait`)).json()) as {
            metadata?: { status?: string; err?: string };
          };
          if (done.metadata?.status !== "Success") throw new Error(done.metadata?.err || "push failed");
          ctx.finish(m, "Success");
        } catch (e) {
          ctx.finish(m, "Failure", (e as Error).message);
        }
      })();
      return ctx.accepted(m);
    }),
    http.post(`${base}/1.0/images`, async ({ request }) => {
      // A push from another server: only with a secret of one of this server's tokens (LXD: 403).
      const pushed = request.headers.get("x-lxd-secret");
      const token = pushed === null ? undefined : tokens.get(pushed);
      if (pushed !== null && !token) return error(403, "not authorized");
      if (pushed !== null) tokens.delete(pushed);
      const parts = await received(request);
      if (typeof parts === "string") return error(400, parts);
      const m = ctx.newOp("task", "Downloading image", {}, {});
      const fingerprint = await sha256(parts.map((p) => p.data));
      const props = request.headers.get("x-lxd-properties");
      const isPublic = request.headers.get("x-lxd-public") === "true";
      ctx.later(m, () => {
        if (!parts.every((p) => looksCompressed(p.data))) return "Unsupported compression";
        if (images.has(fingerprint)) return "Image with same fingerprint already exists";
        const properties = token?.body.properties ?? (props ? Object.fromEntries(new URLSearchParams(props)) : {});
        const pub = token ? (token.body.public ?? false) : isPublic;
        images.set(fingerprint, { fingerprint, parts, properties, public: pub, uploaded_at: new Date().toISOString() });
        for (const a of token?.body.aliases ?? [])
          if (a.name) aliases.set(a.name, { name: a.name, target: fingerprint, description: a.description ?? "", type: "container" });
        if (token) ctx.finish(token.op, "Success");
        return { fingerprint, size: String(parts.reduce((n, p) => n + p.data.byteLength, 0)) };
      });
      return ctx.accepted(m);
    }),
    http.get(`${base}/1.0/images/aliases`, () => ok([...aliases.values()])),
    http.post<PathParams, Schemas["ImageAliasesPost"]>(`${base}/1.0/images/aliases`, async ({ request }) => {
      const { name, target, description = "" } = await request.json();
      if (!name || !target) return error(400, "Alias name and target are required");
      if (aliases.has(name)) return error(409, "Alias already exists");
      const image = find(target);
      if (!image) return error(404, "Image not found");
      aliases.set(name, { name, target: image.fingerprint, description, type: "container" });
      return ok({});
    }),
    http.get(`${base}/1.0/images/aliases/:name`, ({ params }) => {
      const a = aliases.get(String(params.name));
      return a ? ok(a) : error(404, "Image alias not found");
    }),
    http.delete(`${base}/1.0/images/aliases/:name`, ({ params }) =>
      aliases.delete(String(params.name)) ? ok({}) : error(404, "Image alias not found"),
    ),
    http.get(`${base}/1.0/images/:fingerprint`, ({ params }) => {
      const i = find(params.fingerprint);
      return i ? ok(view(i)) : error(404, "Image not found");
    }),
    http.get(`${base}/1.0/images/:fingerprint/export`, ({ params }) => {
      const i = find(params.fingerprint);
      if (!i) return error(404, "Image not found");
      if (i.parts.length === 1)
        return new HttpResponse(i.parts[0]!.data, {
          headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename=${i.fingerprint}.tar.gz` },
        });
      const { body, contentType } = multipart(i.parts.map((p) => ({ name: p.name, filename: `${p.name}.tar.gz`, data: p.data })));
      return new HttpResponse(body, { headers: { "content-type": contentType } });
    }),
    http.delete(`${base}/1.0/images/:fingerprint`, ({ params }) => {
      const i = find(params.fingerprint);
      if (!i) return error(404, "Image not found");
      const m = ctx.newOp("task", "Deleting image", { images: [`/1.0/images/${i.fingerprint}`] }, {});
      ctx.later(m, () => {
        images.delete(i.fingerprint);
        for (const [n, a] of aliases) if (a.target === i.fingerprint) aliases.delete(n);
        return undefined;
      });
      return ctx.accepted(m);
    }),
  ];

  return {
    handlers,
    images,
    aliases,
    /** Whether an instance can be created from `ref`: an uploaded image, or one of the built-in aliases. */
    has: (ref: { alias?: string; fingerprint?: string }) =>
      ref.alias !== undefined ? builtinAliases.includes(ref.alias) || aliases.has(ref.alias) : find(ref.fingerprint ?? "") !== undefined,
  };
}
