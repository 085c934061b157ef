// Custom storage volumes copied between independent servers in relay mode: the client connects to
// both servers' migration operations and carries the data (neither server reaches the other).
// The main LXD 5.0.2 and member m1 of the LXD 5.0.2 cluster: 16 MiB of random bytes written
// through a container the volume is attached to, its sha256 compared through a container on the
// other side; a move in relay mode deletes the source only after the copy; a client abort
// while the relay connects leaves nothing on the target. LXD → Incus 6.0.4 is refused before
// sending: Incus's daemon crashes on such a copy (docs/migration.md).
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeAllServers } from "./lxd.js";
import { loadClusterEnv, loadServerEnv } from "../../scripts/lxd-env.mjs";
import { AbortError, createLxd, InvalidArgumentError, type Lxd, LxdError, type VolumeCopyProgress } from "../../src/index.js";

const lxdEnv = loadServerEnv("lxd").env;
const incusEnv = loadServerEnv("incus").env;
const clusterEnv = loadClusterEnv().env;
const id = Math.random().toString(36).slice(2, 7);
const BLOB = 16 * 1024 * 1024;

async function attach(lxd: Lxd, remote: string, instance: string, volume: string, path: string): Promise<void> {
  await lxd.instances.patch(remote, instance, { devices: { [volume]: { type: "disk", pool: "default", source: volume, path } } });
}

async function sumAt(lxd: Lxd, remote: string, instance: string, file: string): Promise<string> {
  const r = await lxd.run(remote, instance, ["sha256sum", file]);
  expect(r.exitCode, r.text("stderr")).toBe(0);
  return r.text().split(" ")[0]!;
}

describeAllServers("storage volume copy in relay mode [LXD 5.0.2, LXD 5.0.2 cluster, Incus 6.0.4]", () => {
  const main = lxdEnv!;
  const inc = incusEnv!;
  const cl = clusterEnv!;
  const lxd = createLxd({
    remotes: {
      main: { socket: main.socket },
      mainh: { url: main.httpsUrl, ca: main.serverCert, cert: main.clientCert, key: main.clientKey },
      // One member (a dir pool's volumes live on the member that made them), through its unix
      // socket: a set-up run may reissue the cluster's certificate meanwhile.
      m1: { socket: cl.members[0]!.socket },
      incus: { socket: inc.socket },
      incush: { url: inc.httpsUrl, ca: inc.serverCert, cert: inc.clientCert, key: inc.clientKey },
    },
  });
  const src = `migrate2-vsrc-${id}`;
  const reader = `migrate2-vm1-${id}`;
  const vol = `migrate2-v-${id}`;
  const made: [string, string][] = [["main", vol]];
  let sum = "";

  beforeAll(async () => {
    await Promise.all([lxd.instances.launch("main", src, main.image), lxd.instances.launch("m1", reader, cl.image, { target: "m1" })]);
    await lxd.storageVolumes.create("main", "default", "custom", { name: vol, description: "migrate2", config: { "user.k": "v" } });
    await attach(lxd, "main", src, vol, "/mnt/v");
    const r = await lxd.run("main", src, ["sh", "-c", `head -c ${BLOB} /dev/urandom > /mnt/v/blob && sha256sum /mnt/v/blob`]);
    expect(r.exitCode).toBe(0);
    sum = r.text().split(" ")[0]!;
  }, 120_000);
  afterAll(async () => {
    for (const [remote, name] of [
      ["main", src],
      ["m1", reader],
    ] as const) {
      const op = await lxd.instances.delete(remote, name, { force: true }).catch(() => undefined);
      await op?.wait().catch(() => undefined);
    }
    for (const [remote, name] of made)
      await (await lxd.storageVolumes.delete(remote, "default", "custom", name).catch(() => undefined))?.wait().catch(() => undefined);
    await lxd.close();
  }, 120_000);

  it("main LXD → cluster member, over unix sockets and with the source over HTTPS: config and bytes equal, progress reported", async () => {
    for (const from of ["main", "mainh"]) {
      const copy = `${vol}-relay-${from}`;
      made.push(["m1", copy]);
      const seen: VolumeCopyProgress[] = [];
      expect(
        await lxd.storageVolumes.copy(
          from,
          "default",
          "custom",
          vol,
          { remote: "m1", name: copy },
          { mode: "relay", onProgress: (p) => seen.push(p) },
        ),
      ).toBeUndefined();
      expect(await lxd.storageVolumes.get("m1", "default", "custom", copy)).toMatchObject({
        name: copy,
        description: "migrate2",
        config: { "user.k": "v" },
      });
      await attach(lxd, "m1", reader, copy, `/mnt/${from}`);
      expect(await sumAt(lxd, "m1", reader, `/mnt/${from}/blob`)).toBe(sum);
      expect(seen.every((p) => p.stage.endsWith("_progress") && p.text.length > 0)).toBe(true);
    }
  }, 120_000);

  it("a move in relay mode, cluster member → main LXD: the source deleted only after the copy, bytes equal", async () => {
    const there = `${vol}-mv`;
    made.push(["m1", there], ["main", `${vol}-back`]);
    await lxd.storageVolumes.copy("main", "default", "custom", vol, { remote: "m1", name: there }, { mode: "relay" });
    await lxd.storageVolumes.move("m1", "default", "custom", there, { remote: "main", name: `${vol}-back` }, { mode: "relay" });
    expect(await lxd.storageVolumes.list("m1", "default", { type: "custom" })).not.toContain(there);
    await attach(lxd, "main", src, `${vol}-back`, "/mnt/b");
    expect(await sumAt(lxd, "main", src, "/mnt/b/blob")).toBe(sum);
  }, 120_000);

  // The abort comes when the relay opens its last socket (the target's `fs`): both servers have
  // started their sides, and nothing depends on how fast they are (a progress report may come
  // only after the last byte, or not at all for 16 MiB).
  it("a client abort while the relay connects, both sides started: AbortError, no volume on the target, the source intact", async () => {
    const half = `${vol}-abort`;
    made.push(["m1", half]);
    const ctrl = new AbortController();
    let sockets = 0;
    const aborting = createLxd({
      remotes: { main: { socket: main.socket }, m1: { socket: cl.members[0]!.socket } },
      hooks: {
        beforeRequest: [
          (request, { remote, path }) => {
            if (remote === "m1" && /\/websocket$/.test(path) && ++sockets === 2) ctrl.abort();
            return request;
          },
        ],
      },
    });
    try {
      const err = await aborting.storageVolumes
        .copy("main", "default", "custom", vol, { remote: "m1", name: half }, { mode: "relay", signal: ctrl.signal })
        .catch((e: unknown) => e);
      expect(sockets, "the target's control and fs sockets were opened").toBe(2);
      expect(err).toBeInstanceOf(AbortError);
    } finally {
      await aborting.close();
    }
    // The target's create ends (cancelled or failed) before the copy's cleanup returns: no wait here.
    await expect(lxd.storageVolumes.get("m1", "default", "custom", half)).rejects.toSatisfy(
      (e: unknown) => e instanceof LxdError && e.status === 404,
    );
    expect((await lxd.storageVolumes.get("main", "default", "custom", vol)).name).toBe(vol);
    expect(await sumAt(lxd, "main", src, "/mnt/v/blob")).toBe(sum);
  }, 60_000);

  it("LXD → Incus is refused before anything is sent (Incus 6.0.4's daemon crashed on it), for every mode", async () => {
    for (const mode of ["pull", "push", "relay"] as const) {
      const err = await lxd.storageVolumes
        .copy("main", "default", "custom", vol, { remote: "incush", name: `${vol}-inc` }, { mode })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(/Incus 6\.0\.4, crashes on a custom volume migrated from LXD 5\.0\.2/);
    }
    expect(await lxd.storageVolumes.list("incus", "default", { type: "custom" })).not.toContain(`${vol}-inc`);
  }, 60_000);
});
