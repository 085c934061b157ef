// Images against the real servers, over the unix socket and HTTPS: the project's own busybox
// image imported through the library as a stream (unified tarball, and split metadata + rootfs
// as multipart), under an lfa- alias, exported back as a stream, then deleted.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, type Lxd } from "../../src/index.js";
import { buildBusyboxImage, type BusyboxImage } from "../support/busybox-image.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 8);
const stream = (file: string) => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;

async function sha256(body: ReadableStream<Uint8Array>): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) h.update(chunk);
  return h.digest("hex");
}

describeServers("real server: images", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    let image: BusyboxImage;
    const fingerprints = new Set<string>();
    beforeAll(() => {
      image = buildBusyboxImage(`lfa-${env.server}-${name}-${unique()}`);
    });
    afterAll(async () => {
      for (const fp of fingerprints) await (await lxd.images.delete(name, fp).catch(() => undefined))?.wait().catch(() => undefined);
      image.remove();
      await lxd.close();
    });

    it("imports a unified tarball streamed, aliases it, exports the same bytes, deletes it", async () => {
      const alias = `lfa-img-${unique()}`;
      const op = await lxd.images.import(name, stream(image.unified), { properties: { description: "lfa unified" } });
      fingerprints.add(image.unifiedFingerprint);
      const done = await op.wait({ timeout: 60_000 });
      expect(done.metadata?.fingerprint).toBe(image.unifiedFingerprint);

      await lxd.images.aliases.create(name, alias, image.unifiedFingerprint, { description: "lfa" });
      expect(await lxd.images.aliases.get(name, alias, (a) => a.target)).toBe(image.unifiedFingerprint);
      expect((await lxd.images.aliases.list(name)).map((a) => a.name)).toContain(alias);
      const info = await lxd.images.get(name, image.unifiedFingerprint);
      expect(info).toMatchObject({ fingerprint: image.unifiedFingerprint, size: readFileSync(image.unified).byteLength });
      expect(info.properties?.description).toBe("lfa unified");
      expect(info.aliases?.map((a) => a.name)).toContain(alias);
      expect(await lxd.images.list(name)).toContain(image.unifiedFingerprint);
      expect((await lxd.images.list(name, { recursion: true })).find((i) => i.fingerprint === image.unifiedFingerprint)).toBeDefined();

      const out = await lxd.images.export(name, image.unifiedFingerprint);
      expect(out.type).toBe("unified");
      expect(await sha256(out.body)).toBe(image.unifiedFingerprint);

      await lxd.images.aliases.delete(name, alias);
      await expect(lxd.images.aliases.get(name, alias)).rejects.toMatchObject({ status: 404 });
      await (await lxd.images.delete(name, image.unifiedFingerprint)).wait({ timeout: 30_000 });
      fingerprints.delete(image.unifiedFingerprint);
      await expect(lxd.images.get(name, image.unifiedFingerprint)).rejects.toMatchObject({ name: "LxdError", status: 404 });
    });

    it("imports a split image (metadata + rootfs as streamed multipart); its export is the split form", async () => {
      const op = await lxd.images.import(name, { metadata: stream(image.meta), rootfs: stream(image.rootfs) });
      fingerprints.add(image.splitFingerprint);
      expect((await op.wait({ timeout: 60_000 })).metadata?.fingerprint).toBe(image.splitFingerprint);
      const out = await lxd.images.export(name, image.splitFingerprint);
      expect(out.type).toBe("split");
      expect(out.contentType).toMatch(/^multipart\/form-data; boundary=/);
      const text = new TextDecoder("latin1").decode(new Uint8Array(await new Response(out.body).arrayBuffer()));
      expect(text).toContain('name="metadata"');
      expect(text).toContain('name="rootfs"');
      await (await lxd.images.delete(name, image.splitFingerprint)).wait({ timeout: 30_000 });
      fingerprints.delete(image.splitFingerprint);
    });

    it("refusals are typed: a broken tarball fails its operation, an unknown image is 404, bad input is refused unsent", async () => {
      const failed = await lxd.images
        .import(name, new TextEncoder().encode("not a tarball"))
        .then((op) => op.wait({ timeout: 30_000 }))
        .catch((e: unknown) => e);
      expect((failed as Error).name).toMatch(/^(OperationError|LxdError)$/);
      await expect(lxd.images.export(name, "0".repeat(64))).rejects.toMatchObject({ name: "LxdError", status: 404 });
      await expect(lxd.images.import(name, "a string" as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.images.get(name, "../x")).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
