// Image copy in push mode (extension `images_push_relay`) between independent servers: the main
// LXD 5.0.2, the 3-member LXD 5.0.2 cluster and Incus 6.0.4. The target's token operation gives a
// secret, the source's export sends the image to the target's address. A private image of the
// project's busybox (under another host name, so its own fingerprint) goes main → cluster with
// its alias and an added one, public as asked, then back; the token is gone after. Between LXD
// 5.0.2 and Incus 6.0.4 the receiving server refuses the push either way ("not authorized").
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeAllServers } from "./lxd.js";
import { loadClusterEnv, loadServerEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, InvalidArgumentError, type ImageCopyProgress, OperationError } from "../../src/index.js";
import { buildBusyboxImage, type BusyboxImage } from "../support/busybox-image.js";

const lxdEnv = loadServerEnv("lxd").env;
const incusEnv = loadServerEnv("incus").env;
const clusterEnv = loadClusterEnv().env;
const id = Math.random().toString(36).slice(2, 7);
const stream = (file: string) => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;

describeAllServers("image copy in push mode [LXD 5.0.2, LXD 5.0.2 cluster, Incus 6.0.4]", () => {
  const main = lxdEnv!;
  const inc = incusEnv!;
  const cl = clusterEnv!;
  const lxd = createLxd({
    remotes: {
      main: { url: main.httpsUrl, ca: main.serverCert, cert: main.clientCert, key: main.clientKey },
      // The cluster through m1's unix socket: a set-up run may reissue the cluster's certificate meanwhile.
      cl: { socket: cl.members[0]!.socket },
      incus: { socket: inc.socket },
    },
  });
  const alias = `migrate2-img-${id}`;
  let image: BusyboxImage;
  const cleanup: [string, string][] = [];
  const drop = async (remote: string, fp: string) =>
    (await lxd.images.delete(remote, fp).catch(() => undefined))?.wait({ timeout: 30_000 }).catch(() => undefined);
  const running = async (remote: string, fp: string) =>
    Object.values(await lxd.operations.list(remote, { recursion: true }))
      .flatMap((l) => l ?? [])
      .filter((o) => o.status_code === 103 && JSON.stringify(o.resources ?? {}).includes(fp));

  beforeAll(async () => {
    image = buildBusyboxImage(`migrate2-${id}`);
    cleanup.push(["main", image.unifiedFingerprint]);
    await (await lxd.images.import("main", stream(image.unified))).wait({ timeout: 60_000 });
    await lxd.images.aliases.create("main", alias, image.unifiedFingerprint);
  }, 60_000);
  afterAll(async () => {
    for (const [remote, fp] of cleanup) await drop(remote, fp);
    image?.remove();
    await lxd.close();
  }, 60_000);

  it("main LXD → cluster: the source pushes a private image, aliases carried and added, public as asked, no token left", async () => {
    cleanup.push(["cl", image.unifiedFingerprint]);
    const seen: ImageCopyProgress[] = [];
    const done = await lxd.images.copy("main", alias, "cl", {
      mode: "push",
      aliases: [`${alias}-extra`],
      public: true,
      onProgress: (p) => seen.push(p),
    });
    expect(done).toEqual({ fingerprint: image.unifiedFingerprint, mode: "push", aliases: [alias, `${alias}-extra`] });
    const copied = await lxd.images.get("cl", image.unifiedFingerprint);
    expect(copied).toMatchObject({ fingerprint: image.unifiedFingerprint, public: true });
    expect(copied.aliases?.map((a) => a.name).sort()).toEqual([alias, `${alias}-extra`]);
    expect(seen.every((p) => p.stage === "push")).toBe(true);
    expect(await running("cl", image.unifiedFingerprint)).toEqual([]);
    expect(await running("main", image.unifiedFingerprint)).toEqual([]);
  }, 60_000);

  it("cluster → main LXD (the cluster pushes back after the main copy is deleted); autoUpdate refused before sending", async () => {
    await drop("main", image.unifiedFingerprint);
    const done = await lxd.images.copy("cl", image.unifiedFingerprint, "main", { mode: "push" });
    expect(done).toEqual({ fingerprint: image.unifiedFingerprint, mode: "push", aliases: [alias, `${alias}-extra`] });
    expect((await lxd.images.get("main", image.unifiedFingerprint)).public).toBe(false); // private unless asked
    expect((await lxd.images.aliases.get("main", alias)).target).toBe(image.unifiedFingerprint);
    await expect(lxd.images.copy("main", alias, "cl", { mode: "push", autoUpdate: true })).rejects.toBeInstanceOf(InvalidArgumentError);
  }, 60_000);

  it("LXD 5.0.2 ↔ Incus 6.0.4: the receiving server refuses the push ('not authorized'), typed; nothing left on it", async () => {
    cleanup.push(["incus", image.unifiedFingerprint]);
    const toIncus = await lxd.images.copy("cl", image.unifiedFingerprint, "incus", { mode: "push", copyAliases: false }).catch((e) => e);
    expect(toIncus).toBeInstanceOf(OperationError);
    expect([(toIncus as OperationError).statusCode, (toIncus as OperationError).err]).toEqual([400, "not authorized"]);
    expect(await lxd.images.list("incus")).not.toContain(image.unifiedFingerprint);
    expect(await running("incus", image.unifiedFingerprint)).toEqual([]);
    // The other way: the image relayed to Incus first, then Incus pushes to the cluster, which lacks it.
    await drop("cl", image.unifiedFingerprint);
    await lxd.images.copy("main", image.unifiedFingerprint, "incus", { mode: "relay", copyAliases: false });
    const fromIncus = await lxd.images.copy("incus", image.unifiedFingerprint, "cl", { mode: "push", copyAliases: false }).catch((e) => e);
    expect(fromIncus).toBeInstanceOf(OperationError);
    expect((fromIncus as OperationError).err).toBe("not authorized");
    expect(await lxd.images.list("cl")).not.toContain(image.unifiedFingerprint);
    expect(await running("cl", image.unifiedFingerprint)).toEqual([]);
  }, 60_000);
});
