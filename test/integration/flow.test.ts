// The families working together, as a dashboard's user would: a bridge (no addresses), a dir
// storage pool and a custom volume, a profile attaching both, a project; an instance launched in
// the project with the profile sees the NIC and the mounted volume (through exec); the volume is
// snapshotted and restored; warnings listed; the instance's metrics samples found; everything
// removed again, in reverse order. On both servers, over unix and HTTPS.
import { afterAll, describe, expect, it } from "vitest";
import type { Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 7);

describeServers("real server: networks, storage, profiles and projects together", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const conn = lxd.remote(name);
    const id = `${name[0]}${unique()}`;
    const [bridge, pool, volume, profile, project, instance] = [
      `lfb${id}`,
      `lff-${id}`,
      `lfv-${id}`,
      `lff-${id}`,
      `lff-${id}`,
      `lff-${id}`,
    ];
    const inProject = conn.project(project);
    afterAll(async () => {
      const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
      await (await quiet(inProject.instances.delete(instance, { force: true })))?.wait().catch(() => undefined);
      await quiet(conn.projects.delete(project));
      await quiet(conn.profiles.delete(profile));
      await quiet(conn.storageVolumes.snapshots.delete(pool, "custom", volume, "snap0").then((op) => op.wait()));
      await quiet(conn.storageVolumes.delete(pool, "custom", volume));
      await quiet(conn.storagePools.delete(pool));
      await quiet(conn.networks.delete(bridge));
      await lxd.close();
    });

    it("an instance in a project, with a profile's volume and NIC, sees both; snapshot and restore; warnings; metrics", {
      timeout: 240_000,
    }, async () => {
      await conn.networks.create({ name: bridge, type: "bridge", config: { "ipv4.address": "none", "ipv6.address": "none" } });
      await conn.storagePools.create({ name: pool, driver: "dir" });
      await conn.storageVolumes.create(pool, "custom", { name: volume, config: {} });
      await conn.profiles.create({
        name: profile,
        devices: {
          data: { type: "disk", pool, source: volume, path: "/mnt/data" },
          eth1: { type: "nic", network: bridge, name: "eth1" },
        },
      });
      await conn.projects.create({
        name: project,
        config: { "features.images": "false", "features.profiles": "false", "features.storage.volumes": "false" },
      });
      expect(await conn.projects.list()).toContain(project);

      const launched = await inProject.instances.launch(instance, { alias: env.image }, { profiles: ["default", profile] });
      expect(launched).toMatchObject({ name: instance, status: "Running", project });
      const nics = await inProject.run(instance, ["ls", "/sys/class/net"]);
      expect(nics.text().split(/\s+/)).toContain("eth1");
      const mounts = await inProject.run(instance, ["grep", "-c", " /mnt/data ", "/proc/mounts"]);
      expect(mounts.text().trim()).toBe("1");
      expect((await inProject.run(instance, ["sh", "-c", "echo one > /mnt/data/f"])).exitCode).toBe(0);
      // The network and the volume are in use now, as the server says.
      expect((await conn.networks.get(bridge)).used_by?.join()).toContain(profile);
      expect((await conn.storageVolumes.get(pool, "custom", volume)).used_by?.join()).toContain(profile);

      // Snapshot the volume, change the file, restore: the snapshot's content is back.
      await (await conn.storageVolumes.snapshots.create(pool, "custom", volume, "snap0")).wait();
      expect((await inProject.run(instance, ["sh", "-c", "echo two > /mnt/data/f"])).exitCode).toBe(0);
      await (await inProject.instances.setState(instance, { action: "stop", force: true })).wait();
      await (await conn.storageVolumes.snapshots.restore(pool, "custom", volume, "snap0"))?.wait();
      await (await inProject.instances.setState(instance, { action: "start" })).wait();
      expect((await inProject.run(instance, ["cat", "/mnt/data/f"])).text().trim()).toBe("one");

      // Warnings: a list of the server's (possibly empty), each with a uuid and a status.
      const warnings = await conn.warnings.list({ recursion: true });
      for (const w of warnings) expect(w).toMatchObject({ uuid: expect.any(String), status: expect.any(String) });

      // Metrics of the project: the instance's samples are in them.
      const metrics = await conn.metrics.get({ project });
      const mine = metrics.samples.filter((s) => s.labels.name === instance);
      expect(mine.length).toBeGreaterThan(5);
      expect(mine.every((s) => s.labels.project === project)).toBe(true);

      // Removed again, in reverse order; each list no longer has it.
      await (await inProject.instances.delete(instance, { force: true })).wait();
      await conn.projects.delete(project);
      await conn.profiles.delete(profile);
      await (await conn.storageVolumes.snapshots.delete(pool, "custom", volume, "snap0"))?.wait();
      await conn.storageVolumes.delete(pool, "custom", volume);
      await conn.storagePools.delete(pool);
      await conn.networks.delete(bridge);
      expect(await conn.projects.list()).not.toContain(project);
      expect(await conn.networks.list()).not.toContain(bridge);
      expect(await conn.storagePools.list()).not.toContain(pool);
    });
  });
});
