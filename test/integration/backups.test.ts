// Backups between two independent servers (the main LXD 5.0.2 and the 3-member LXD 5.0.2
// cluster), and within Incus 6.0.4: a small container with 32 MiB of random bytes is backed up,
// its export streamed straight into an import on the other server (never held whole), started
// there, and the file's sha256 compared through exec. A client abort mid-export and mid-import
// is a typed error and leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, createLxd, type Lxd, type RemoteConfig } from "../../src/index.js";
import { loadServerEnv } from "../../scripts/lxd-env.mjs";
import { describeCluster, describeServers, type LxdEnv } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 7);
const BLOB_BYTES = 32 * 1024 * 1024;

const httpsOf = (env: LxdEnv): RemoteConfig => ({ url: env.httpsUrl, ca: env.serverCert, cert: env.clientCert, key: env.clientKey });

/** A running container of `image` with BLOB_BYTES random bytes in /root/blob: its sha256. */
async function sourceWithBlob(lxd: Lxd, remote: string, name: string, image: string): Promise<string> {
  await lxd.instances.launch(remote, name, { alias: image });
  const r = await lxd.run(remote, name, ["sh", "-c", `head -c ${BLOB_BYTES} /dev/urandom > /root/blob && sha256sum /root/blob`]);
  expect(r.exitCode).toBe(0);
  return r.text().split(" ")[0]!;
}

async function blobSum(lxd: Lxd, remote: string, name: string): Promise<string> {
  const r = await lxd.run(remote, name, ["sha256sum", "/root/blob"]);
  expect(r.exitCode).toBe(0);
  return r.text().split(" ")[0]!;
}

async function removeInstance(lxd: Lxd, remote: string, name: string): Promise<void> {
  const op = await lxd.instances.setState(remote, name, { action: "stop", force: true }).catch(() => undefined);
  await op?.wait({ timeout: 30_000 }).catch(() => undefined);
  await (await lxd.instances.delete(remote, name).catch(() => undefined))?.wait({ timeout: 30_000 }).catch(() => undefined);
}

/** Passes the stream on, and aborts `ctrl` once `after` bytes went through. */
function abortAfter(body: ReadableStream<Uint8Array>, after: number, ctrl: AbortController): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        out.enqueue(chunk);
        seen += chunk.byteLength;
        if (seen >= after) ctrl.abort();
      },
    }),
  );
}

describeCluster("real servers: backups from LXD to the cluster", (cluster) => {
  const main = loadServerEnv("lxd").env;
  if (!main) throw new Error("the cluster suite needs the main LXD too (.lxd-test/lxd.env)");
  const lxd = createLxd({
    remotes: {
      main: { socket: main.socket },
      cl: { url: cluster.urls, ca: cluster.serverCert, cert: cluster.clientCert, key: cluster.clientKey },
    },
  });
  const source = `lfb-backup-src-${unique()}`;
  const copy = `lfb-backup-dst-${unique()}`;
  let sum = "";

  beforeAll(async () => {
    sum = await sourceWithBlob(lxd, "main", source, main.image);
  }, 60_000);
  afterAll(async () => {
    await removeInstance(lxd, "cl", copy);
    await removeInstance(lxd, "main", source);
    await lxd.close();
  }, 60_000);

  it("creates a backup, exports it streamed into an import on the cluster, same sha256 there", async () => {
    const created = await lxd.backups.create("main", source, "b1", { instanceOnly: true, expiresAt: "2099-01-01T00:00:00Z" });
    await created.wait({ timeout: 60_000 });
    expect(await lxd.backups.list("main", source)).toEqual(["b1"]);
    const info = await lxd.backups.get("main", source, "b1");
    expect(info).toMatchObject({ name: "b1", instance_only: true });
    expect(info.expires_at?.startsWith("2099-01-01")).toBe(true);
    await (await lxd.backups.rename("main", source, "b1", "b2"))?.wait({ timeout: 30_000 });
    expect(await lxd.backups.list("main", source)).toEqual(["b2"]);

    const out = await lxd.backups.export("main", source, "b2");
    expect(out.contentType).toBe("application/octet-stream");
    const imported = await lxd.backups.import("cl", out.body, { name: copy });
    await imported.wait({ timeout: 60_000 });
    await (await lxd.instances.setState("cl", copy, { action: "start" })).wait({ timeout: 30_000 });
    expect(await blobSum(lxd, "cl", copy)).toBe(sum);

    await (await lxd.backups.delete("main", source, "b2"))?.wait({ timeout: 30_000 });
    expect(await lxd.backups.list("main", source)).toEqual([]);
  }, 90_000);

  it("a client abort mid-export rejects the read with AbortError; mid-import leaves no instance", async () => {
    await (await lxd.backups.create("main", source, "abort", { instanceOnly: true })).wait({ timeout: 60_000 });
    try {
      const ctrl = new AbortController();
      const out = await lxd.backups.export("main", source, "abort", { signal: ctrl.signal });
      const reader = abortAfter(out.body, 1 << 20, ctrl).getReader();
      const drained = (async () => {
        for (;;) if ((await reader.read()).done) return;
      })();
      await expect(drained).rejects.toBeInstanceOf(AbortError);

      const half = `lfb-backup-half-${unique()}`;
      const up = new AbortController();
      const again = await lxd.backups.export("main", source, "abort");
      await expect(lxd.backups.import("cl", abortAfter(again.body, 4 << 20, up), { name: half, signal: up.signal })).rejects.toBeInstanceOf(
        AbortError,
      );
      // LXD writes the upload to a temporary file first: an upload cut short never becomes an instance.
      await new Promise((r) => setTimeout(r, 500));
      expect(await lxd.instances.list("cl")).not.toContain(half);
    } finally {
      await (await lxd.backups.delete("main", source, "abort").catch(() => undefined))?.wait({ timeout: 30_000 });
    }
    expect(await lxd.backups.list("main", source)).toEqual([]);
  }, 60_000);
});

describeServers("real server: backups", (env) => {
  describe("over https", () => {
    const lxd = createLxd({ remotes: { s: httpsOf(env) } });
    const source = `lfb-backup-src-${unique()}`;
    const copy = `lfb-backup-dst-${unique()}`;
    let sum = "";
    beforeAll(async () => {
      sum = await sourceWithBlob(lxd, "s", source, env.image);
    }, 60_000);
    afterAll(async () => {
      await removeInstance(lxd, "s", copy);
      await removeInstance(lxd, "s", source);
      await lxd.close();
    }, 60_000);

    it("backs up, exports into an import under a new name, same sha256", async () => {
      await (await lxd.backups.create("s", source, "b1", { compression: "none" })).wait({ timeout: 60_000 });
      const out = await lxd.backups.export("s", source, "b1");
      await (await lxd.backups.import("s", out.body, { name: copy, pool: "default" })).wait({ timeout: 60_000 });
      await (await lxd.instances.setState("s", copy, { action: "start" })).wait({ timeout: 30_000 });
      expect(await blobSum(lxd, "s", copy)).toBe(sum);
      await (await lxd.backups.delete("s", source, "b1"))?.wait({ timeout: 30_000 });
      expect(await lxd.backups.list("s", source)).toEqual([]);
    }, 90_000);

    it("a custom volume's backup exported into an import as a new volume: same bytes through the container", async () => {
      const vol = `lfb-backup-vol-${unique()}`;
      const restored = `${vol}-r`;
      const disk = (name: string, path: string) => ({ [name]: { type: "disk", pool: "default", source: name, path } });
      try {
        await lxd.storageVolumes.create("s", "default", "custom", { name: vol });
        await lxd.instances.patch("s", source, { devices: disk(vol, "/mnt/v") });
        const wrote = await lxd.run("s", source, ["sh", "-c", "head -c 4194304 /dev/urandom > /mnt/v/f && sha256sum /mnt/v/f"]);
        await (await lxd.volumeBackups.create("s", "default", vol, "vb1", { volumeOnly: true })).wait({ timeout: 60_000 });
        expect(await lxd.volumeBackups.list("s", "default", vol)).toEqual(["vb1"]);
        expect(await lxd.volumeBackups.get("s", "default", vol, "vb1")).toMatchObject({ name: "vb1", volume_only: true });
        const out = await lxd.volumeBackups.export("s", "default", vol, "vb1");
        await (await lxd.volumeBackups.import("s", "default", out.body, { name: restored })).wait({ timeout: 60_000 });
        await lxd.instances.patch("s", source, { devices: disk(restored, "/mnt/r") });
        const read = await lxd.run("s", source, ["sha256sum", "/mnt/r/f"]);
        expect(read.text().split(" ")[0]).toBe(wrote.text().split(" ")[0]);
        await (await lxd.volumeBackups.delete("s", "default", vol, "vb1"))?.wait({ timeout: 30_000 });
        expect(await lxd.volumeBackups.list("s", "default", vol)).toEqual([]);
      } finally {
        const i = await lxd.instances.get("s", source).catch(() => undefined);
        if (i) await (await lxd.instances.update("s", source, { ...i, devices: {} } as never).catch(() => undefined))?.wait();
        for (const v of [vol, restored])
          await (await lxd.storageVolumes.delete("s", "default", "custom", v).catch(() => undefined))?.wait();
      }
    }, 60_000);
  });
});
