// Image copy between two independent servers, the main LXD 5.0.2 and the 3-member LXD 5.0.2
// cluster: a private image of the project's busybox (under another host name, so its own
// fingerprint) copied direct (the cluster pulls it with the image secret) and relayed (the
// export streamed into the import), unified and split, with aliases carried over; a client
// abort mid-relay leaves no image on the target.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AbortError, createLxd, InvalidArgumentError, type ImageCopyProgress } from "../../src/index.js";
import { loadServerEnv } from "../../scripts/lxd-env.mjs";
import { buildBusyboxImage, type BusyboxImage } from "../support/busybox-image.js";
import { describeCluster } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 7);
const stream = (file: string) => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;

describeCluster("real servers: image copy from LXD to the cluster", (cluster) => {
  const main = loadServerEnv("lxd").env;
  if (!main) throw new Error("the cluster suite needs the main LXD too (.lxd-test/lxd.env)");
  const lxd = createLxd({
    remotes: {
      main: { url: main.httpsUrl, ca: main.serverCert, cert: main.clientCert, key: main.clientKey },
      cl: { url: cluster.urls, ca: cluster.serverCert, cert: cluster.clientCert, key: cluster.clientKey },
    },
  });
  const id = unique();
  const alias = `lfb-backup-img-${id}`;
  let image: BusyboxImage;
  const cleanup: [string, string][] = [];
  const drop = async (remote: string, fp: string) =>
    (await lxd.images.delete(remote, fp).catch(() => undefined))?.wait({ timeout: 30_000 }).catch(() => undefined);

  beforeAll(async () => {
    image = buildBusyboxImage(`lfb-backup-${id}`);
    cleanup.push(["main", image.unifiedFingerprint], ["main", image.splitFingerprint]);
    await (await lxd.images.import("main", stream(image.unified))).wait({ timeout: 60_000 });
    await lxd.images.aliases.create("main", alias, image.unifiedFingerprint);
    await (await lxd.images.import("main", { metadata: stream(image.meta), rootfs: stream(image.rootfs) })).wait({ timeout: 60_000 });
  }, 60_000);
  afterAll(async () => {
    for (const [remote, fp] of cleanup) await drop(remote, fp);
    image?.remove();
    await lxd.close();
  }, 60_000);

  it("direct: the cluster pulls a private image through its secret, aliases carried and added, auto_update kept", async () => {
    cleanup.push(["cl", image.unifiedFingerprint]);
    const seen: ImageCopyProgress[] = [];
    const done = await lxd.images.copy("main", alias, "cl", {
      aliases: [`${alias}-extra`],
      autoUpdate: true,
      onProgress: (p) => seen.push(p),
    });
    expect(done).toEqual({ fingerprint: image.unifiedFingerprint, mode: "direct", aliases: [alias, `${alias}-extra`] });
    const copied = await lxd.images.get("cl", image.unifiedFingerprint);
    expect(copied).toMatchObject({ fingerprint: image.unifiedFingerprint, public: false, auto_update: true });
    expect(copied.aliases?.map((a) => a.name).sort()).toEqual([alias, `${alias}-extra`]);
    expect(seen.every((p) => p.stage === "download")).toBe(true);
    await drop("cl", image.unifiedFingerprint);
    // The source's secret operation is gone: the copy leaves nothing running on the source.
    const ops = Object.values(await lxd.operations.list("main", { recursion: true })).flatMap((l) => l ?? []);
    expect(ops.filter((o) => o.status_code === 103 && JSON.stringify(o.resources ?? {}).includes(image.unifiedFingerprint))).toEqual([]);
  }, 60_000);

  it("relay: the export streamed into the import, unified and split (multipart passed through), public as asked", async () => {
    cleanup.push(["cl", image.unifiedFingerprint], ["cl", image.splitFingerprint]);
    let relayed = 0;
    const done = await lxd.images.copy("main", image.unifiedFingerprint.slice(0, 12), "cl", {
      mode: "relay",
      public: true,
      onProgress: (p) => {
        relayed = p.bytes ?? 0;
      },
    });
    expect(done).toEqual({ fingerprint: image.unifiedFingerprint, mode: "relay", aliases: [alias] });
    expect(relayed).toBe((await lxd.images.get("main", image.unifiedFingerprint)).size);
    expect(await lxd.images.get("cl", image.unifiedFingerprint)).toMatchObject({ public: true, aliases: [{ name: alias }] });

    const split = await lxd.images.copy("main", image.splitFingerprint, "cl", { mode: "relay", aliases: [`${alias}-split`] });
    expect(split.fingerprint).toBe(image.splitFingerprint);
    expect((await lxd.images.aliases.get("cl", `${alias}-split`)).target).toBe(image.splitFingerprint);
    await drop("cl", image.unifiedFingerprint);
    await drop("cl", image.splitFingerprint);
  }, 60_000);

  it("a client abort mid-relay is AbortError and leaves no image on the target; a copy onto itself is refused", async () => {
    const ctrl = new AbortController();
    const copying = lxd.images.copy("main", image.unifiedFingerprint, "cl", {
      mode: "relay",
      signal: ctrl.signal,
      onProgress: () => ctrl.abort(),
    });
    await expect(copying).rejects.toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 300));
    expect(await lxd.images.list("cl")).not.toContain(image.unifiedFingerprint);
    await expect(lxd.images.copy("main", alias, "main")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.images.copy("main", alias, "cl", { mode: "relay", autoUpdate: true })).rejects.toBeInstanceOf(InvalidArgumentError);
  }, 30_000);
});
