// The CLI alone (dist/cli.js, spawned as a user would, with an lxc config naming the main LXD
// 5.0.2 `local` and the 3-member cluster `cl`): `export` of a container holding 16 MiB of
// random bytes to a file, `import` of that file on the cluster, the bytes' sha256 equal there;
// `image copy` relayed with an alias; `storage volume copy` between the two servers.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd } from "../../src/index.js";
import { loadServerEnv } from "../../scripts/lxd-env.mjs";
import { buildBusyboxImage, type BusyboxImage } from "../support/busybox-image.js";
import { cli, cliConfig } from "../support/cli.js";
import { describeCluster } from "./lxd.js";

const id = Math.random().toString(36).slice(2, 7);

describeCluster("real servers: CLI export, import, image copy, volume copy", (cluster) => {
  const main = loadServerEnv("lxd").env;
  if (!main) throw new Error("the cluster suite needs the main LXD too (.lxd-test/lxd.env)");
  const lxd = createLxd({
    remotes: {
      local: { socket: main.socket },
      cl: { url: cluster.urls, ca: cluster.serverCert, cert: cluster.clientCert, key: cluster.clientKey },
    },
  });
  const config = cliConfig(main);
  writeFileSync(join(config.dir, "servercerts", "cl.crt"), cluster.serverCert);
  writeFileSync(
    join(config.dir, "config.yml"),
    `default-remote: local\nremotes:\n  local:\n    addr: unix://${main.socket}\n    protocol: lxd\n    public: false\n  cl:\n    addr: ${cluster.urls[0]}\n    auth_type: tls\n    protocol: lxd\n    public: false\naliases: {}\n`,
  );
  const run = (...args: string[]) => cli(args, { env: config.env, timeoutMs: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), "lfb-backup-cli-"));
  const src = `lfb-backup-cli-${id}`;
  const imported = `lfb-backup-cli-imp-${id}`;
  const vol = `lfb-backup-cli-v-${id}`;
  let image: BusyboxImage | undefined;
  let sum = "";

  beforeAll(async () => {
    await lxd.instances.launch("local", src, { alias: main.image });
    const r = await lxd.run("local", src, ["sh", "-c", "head -c 16777216 /dev/urandom > /root/blob && sha256sum /root/blob"]);
    sum = r.text().split(" ")[0]!;
  }, 60_000);
  afterAll(async () => {
    for (const [remote, name] of [
      ["local", src],
      ["cl", imported],
    ] as const) {
      await (await lxd.instances.setState(remote, name, { action: "stop", force: true }).catch(() => undefined))
        ?.wait()
        .catch(() => undefined);
      await (await lxd.instances.delete(remote, name).catch(() => undefined))?.wait().catch(() => undefined);
    }
    for (const remote of ["local", "cl"])
      await (await lxd.storageVolumes.delete(remote, "default", "custom", vol).catch(() => undefined))?.wait().catch(() => undefined);
    for (const remote of ["local", "cl"])
      if (image) await (await lxd.images.delete(remote, image.unifiedFingerprint).catch(() => undefined))?.wait().catch(() => undefined);
    image?.remove();
    rmSync(dir, { recursive: true, force: true });
    config.remove();
    await lxd.close();
  }, 60_000);

  it("export to a file, import it on the cluster under a new name: same sha256, no backup left", async () => {
    const file = join(dir, "c.tar.gz");
    const exported = await run("export", `local:${src}`, file, "--instance-only");
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(16 << 20);
    expect(await lxd.backups.list("local", src)).toEqual([]);

    const done = await run("import", "cl:", file, imported);
    expect(done.stderr).toBe("");
    expect(done.stdout.toString().trim()).toBe(`imported ${imported}`);
    await (await lxd.instances.setState("cl", imported, { action: "start" })).wait();
    const r = await lxd.run("cl", imported, ["sha256sum", "/root/blob"]);
    expect(r.text().split(" ")[0]).toBe(sum);
  }, 60_000);

  it("image copy relayed with an alias; storage volume copy between the servers", async () => {
    image = buildBusyboxImage(`lfb-backup-cli-${id}`);
    await (await lxd.images.import("local", Readable.toWeb(createReadStream(image.unified)) as ReadableStream<Uint8Array>)).wait();
    const copied = await run(
      "image",
      "copy",
      `local:${image.unifiedFingerprint}`,
      "cl:",
      "--mode",
      "relay",
      "--alias",
      `lfb-backup-cli-${id}`,
    );
    expect(copied.stderr).toBe("");
    expect(copied.stdout.toString().trim()).toBe(`image copied: ${image.unifiedFingerprint} (lfb-backup-cli-${id})`);
    expect((await lxd.images.aliases.get("cl", `lfb-backup-cli-${id}`)).target).toBe(image.unifiedFingerprint);

    await lxd.storageVolumes.create("local", "default", "custom", { name: vol });
    const volume = await run("storage", "volume", "copy", `local:default/${vol}`, `cl:default/${vol}`);
    expect(volume.stderr).toBe("");
    expect(volume.code).toBe(0);
    expect((await lxd.storageVolumes.get("cl", "default", "custom", vol)).name).toBe(vol);
    expect(existsSync(join(dir, "c.tar.gz"))).toBe(true);
  }, 60_000);
});
