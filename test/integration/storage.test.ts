// Storage against the real servers, over unix and HTTPS: two dir pools (the server picks their
// directories, as scripts/lxd-up.sh lets it for `default`), a custom volume patched, renamed,
// snapshotted and restored, copied and moved within the server and to the other pool, seen
// mounted in a running instance through a profile's disk device; the servers' own refusals
// typed; everything made here removed again.
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, type Lxd, LxdError, UnsupportedError } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 8);

describeServers("real server: storage", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const conn = lxd.remote(name);
    const id = `${name}-${unique()}`;
    const poolA = `storage-a-${id}`;
    const poolB = `storage-b-${id}`;
    const vol = `storage-v-${id}`;
    const renamed = `storage-r-${id}`;
    const copied = `storage-c-${id}`;
    const moved = `storage-m-${id}`;
    const profile = `storage-p-${id}`;
    const instance = `storage-i-${id}`;
    const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);

    afterAll(async () => {
      await (await quiet(conn.instances.delete(instance, { force: true })))?.wait({ timeout: 60_000 }).catch(() => undefined);
      await quiet(conn.profiles.delete(profile));
      for (const pool of [poolA, poolB]) {
        const left = await conn.storageVolumes.list(pool, { type: "custom" }).catch(() => [] as string[]);
        for (const v of left) {
          for (const s of await conn.storageVolumes.snapshots.list(pool, "custom", v).catch(() => [] as string[]))
            await (await quiet(conn.storageVolumes.snapshots.delete(pool, "custom", v, s)))?.wait().catch(() => undefined);
          await quiet(conn.storageVolumes.delete(pool, "custom", v));
        }
        await quiet(conn.storagePools.delete(pool));
      }
      await lxd.close();
    });

    it("creates two dir pools, reads, patches and updates one, and gives its resources", async () => {
      await conn.storagePools.create({ name: poolA, driver: "dir", description: "lxd-fetch storage test" });
      await conn.storagePools.create({ name: poolB, driver: "dir" });
      expect(await conn.storagePools.list()).toEqual(expect.arrayContaining([poolA, poolB]));
      const pools = await conn.storagePools.list({ recursion: true });
      expect(pools.find((p) => p.name === poolA)?.driver).toBe("dir");

      const a = await conn.storagePools.get(poolA);
      expect(a.driver).toBe("dir");
      expect(a.description).toBe("lxd-fetch storage test");
      // The server picked the directory: its own storage-pools directory.
      expect(a.config?.source).toMatch(new RegExp(`/storage-pools/${poolA}$`));

      await conn.storagePools.patch(poolA, { description: "patched" });
      expect((await conn.storagePools.get(poolA)).description).toBe("patched");
      await conn.storagePools.update(poolA, { config: a.config ?? {}, description: "updated" });
      expect(await conn.storagePools.get(poolA, (p) => p.description)).toBe("updated");

      const res = await conn.storagePools.resources(poolA);
      expect(res.space?.total).toBeGreaterThan(0);
      expect(typeof res.space?.used).toBe("number");
      // LXD has no pool rename: the family offers none.
      expect("rename" in conn.storagePools).toBe(false);
    });

    it("creates a custom volume, lists it every way, patches it and renames it", async () => {
      const made = await conn.storageVolumes.create(poolA, "custom", { name: vol, config: { "user.storage": "1" } });
      // LXD 5.0 and Incus 6.0 create a plain volume at once.
      expect(made).toBeUndefined();
      expect(await conn.storageVolumes.list(poolA, { type: "custom" })).toEqual([vol]);
      expect(await conn.storageVolumes.list(poolA)).toEqual([`custom/${vol}`]);
      const objects = await conn.storageVolumes.list(poolA, { type: "custom", recursion: true });
      expect(objects.map((v) => [v.name, v.type, v.config?.["user.storage"]])).toEqual([[vol, "custom", "1"]]);
      const everywhere = await conn.storageVolumes.list(poolA, { allProjects: true, recursion: true });
      expect(everywhere.map((v) => `${v.project} ${v.name}`)).toEqual([`default ${vol}`]);
      expect(await conn.storageVolumes.list(poolA, { filter: `name eq ${vol}` })).toEqual([`custom/${vol}`]);

      await conn.storageVolumes.patch(poolA, "custom", vol, { config: { "user.storage": "2" } });
      expect((await conn.storageVolumes.get(poolA, "custom", vol)).config?.["user.storage"]).toBe("2");
      const current = await conn.storageVolumes.get(poolA, "custom", vol);
      await conn.storageVolumes.update(poolA, "custom", vol, { config: { ...current.config, "user.other": "x" }, description: "put" });
      const put = await conn.storageVolumes.get(poolA, "custom", vol);
      expect([put.description, put.config?.["user.other"], put.config?.["user.storage"]]).toEqual(["put", "x", "2"]);

      // LXD 5.0 and Incus 6.0 rename at once (201 with the new URL), not as an operation.
      expect(await conn.storageVolumes.rename(poolA, "custom", vol, renamed)).toBeUndefined();
      expect(await conn.storageVolumes.list(poolA, { type: "custom" })).toEqual([renamed]);
      // Usage: a dir volume without a quota has none to give: Incus says so with `usage: null`,
      // LXD 5.0.2 refuses (500 "Not supported", typed).
      const usage = await conn.storageVolumes.state(poolA, "custom", renamed).catch((e: unknown) => e);
      if ((await conn.server.info()).environment?.server === "incus") expect(usage).toEqual({ usage: null });
      else expect([usage instanceof LxdError, (usage as LxdError).lxdMessage]).toEqual([true, "Not supported"]);
    });

    it("mounts the volume in a running instance through a profile's disk device", async () => {
      await conn.profiles.create({
        name: profile,
        devices: { data: { type: "disk", pool: poolA, source: renamed, path: "/mnt/data" } },
      });
      await conn.instances.launch(instance, env.image, { profiles: ["default", profile] });
      const mounts = (await conn.run(instance, ["cat", "/proc/mounts"])).text();
      expect(mounts).toMatch(/ \/mnt\/data /);
      const written = await conn.run(instance, ["sh", "-c", "echo one > /mnt/data/f && cat /mnt/data/f"]);
      expect(written.text()).toBe("one\n");
      // The volume knows who uses it.
      expect((await conn.storageVolumes.get(poolA, "custom", renamed)).used_by).toEqual(
        expect.arrayContaining([expect.stringContaining(`/1.0/profiles/${profile}`)]),
      );
    });

    it("snapshots the volume and restores it: the file's first content comes back", async () => {
      const op = await conn.storageVolumes.snapshots.create(poolA, "custom", renamed, "snap0");
      await op.wait({ timeout: 30_000 });
      expect(await conn.storageVolumes.snapshots.list(poolA, "custom", renamed)).toEqual(["snap0"]);
      // The snapshot took the volume's description; its own is set with update.
      expect((await conn.storageVolumes.snapshots.get(poolA, "custom", renamed, "snap0")).description).toBe("put");
      await conn.storageVolumes.snapshots.update(poolA, "custom", renamed, "snap0", { description: "before" });
      expect((await conn.storageVolumes.snapshots.get(poolA, "custom", renamed, "snap0")).description).toBe("before");
      // LXD lists a volume's snapshots beside it, named volume/snapshot.
      expect(await conn.storageVolumes.list(poolA)).toEqual([`custom/${renamed}`, `custom/${renamed}/snap0`]);
      await conn.run(instance, ["sh", "-c", "echo two > /mnt/data/f"]);
      expect((await conn.run(instance, ["cat", "/mnt/data/f"])).text()).toBe("two\n");

      // Both servers refuse to restore under a running instance; stopped, it restores.
      const busy = await conn.storageVolumes.snapshots.restore(poolA, "custom", renamed, "snap0").catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(LxdError);
      expect((busy as LxdError).lxdMessage).toBe("Cannot restore custom volume used by running instances");
      await (await conn.instances.setState(instance, { action: "stop", force: true })).wait({ timeout: 60_000 });
      const restored = await conn.storageVolumes.snapshots.restore(poolA, "custom", renamed, "snap0");
      // LXD 5.0 and Incus 6.0 restore at once.
      expect(restored).toBeUndefined();
      await (await conn.instances.setState(instance, { action: "start" })).wait({ timeout: 60_000 });
      expect((await conn.run(instance, ["cat", "/mnt/data/f"])).text()).toBe("one\n");

      const renaming = await conn.storageVolumes.snapshots.rename(poolA, "custom", renamed, "snap0", "snap1");
      await renaming.wait({ timeout: 30_000 });
      expect(await conn.storageVolumes.snapshots.list(poolA, "custom", renamed)).toEqual(["snap1"]);
    });

    it("copies the volume to another name and to the other pool, then moves the copy to the other pool", async () => {
      const here = await conn.storageVolumes.copy(poolA, "custom", renamed, { name: copied });
      await here?.wait({ timeout: 60_000 });
      const there = await conn.storageVolumes.copy(poolA, "custom", renamed, { pool: poolB });
      await there?.wait({ timeout: 60_000 });
      expect((await conn.storageVolumes.list(poolA, { type: "custom" })).sort()).toEqual(
        [copied, `${copied}/snap1`, renamed, `${renamed}/snap1`].sort(),
      );
      expect(await conn.storageVolumes.list(poolB, { type: "custom" })).toEqual([renamed, `${renamed}/snap1`]);
      // The copy took the snapshot along (no volumeOnly).
      expect(await conn.storageVolumes.snapshots.list(poolB, "custom", renamed)).toEqual(["snap1"]);

      const move = await conn.storageVolumes.move(poolA, "custom", copied, { pool: poolB, name: moved });
      // To another pool: an operation (202), on both servers.
      expect(move).toBeDefined();
      await move?.wait({ timeout: 60_000 });
      expect(await conn.storageVolumes.list(poolA, { type: "custom" })).toEqual([renamed, `${renamed}/snap1`]);
      expect((await conn.storageVolumes.list(poolB, { type: "custom" })).sort()).toEqual(
        [moved, `${moved}/snap1`, renamed, `${renamed}/snap1`].sort(),
      );
      expect((await conn.storageVolumes.get(poolB, "custom", moved)).config?.["user.storage"]).toBe("2");
    });

    it("refuses bad input before sending, and gives the server's refusals typed", async () => {
      const v = conn.storageVolumes;
      for (const bad of ["a/b", "..", "a\0b"]) {
        await expect(conn.storagePools.create({ name: bad, driver: "dir" })).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(v.get(bad, "custom", "x")).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(v.get(poolA, "custom", bad)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(v.rename(poolA, "custom", renamed, bad)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(v.snapshots.create(poolA, "custom", renamed, bad)).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await expect(conn.storagePools.create({ name: "storage-x", driver: "ext9" as never })).rejects.toThrow(
        /unknown storage driver "ext9"/,
      );
      await expect(v.get(poolA, "block" as never, renamed)).rejects.toThrow(/unknown volume type "block"/);
      await expect(v.list(poolA, { type: "files" as never })).rejects.toThrow(/unknown volume type "files"/);
      await expect(v.create(poolA, "custom", { name: "x", config: { size: 1 as never } })).rejects.toThrow(/must be a string/);
      await expect(v.copy(poolA, "custom", renamed, {})).rejects.toThrow(/needs a name, a pool, a project or a remote/);
      await expect(conn.storagePools.list({ allProjects: true })).rejects.toThrow(/server-wide/);

      // Only the server knows these.
      const missing = await v.get(`storage-none-${id}`, "custom", renamed).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(LxdError);
      expect([(missing as LxdError).status, (missing as LxdError).lxdMessage]).toEqual([404, "Storage pool not found"]);
      const inUse = await conn.storagePools.delete(poolA).catch((e: unknown) => e);
      expect(inUse).toBeInstanceOf(LxdError);
      expect((inUse as LxdError).lxdMessage).toMatch(/in use/i);
      // A known driver the server lacks (it has only dir here): its refusal, nothing made.
      const zfs = await conn.storagePools.create({ name: `storage-z-${id}`, driver: "zfs" }).catch((e: unknown) => e);
      expect(zfs).toBeInstanceOf(LxdError);
      expect(await conn.storagePools.list()).not.toContain(`storage-z-${id}`);
    });

    it("every pool's volumes, and buckets: where the server has the extension, else UnsupportedError naming it", async () => {
      if (await conn.server.supports("storage_volumes_all")) {
        expect(await conn.storageVolumes.listAll({ type: "custom" })).toContain(`${poolA}/custom/${renamed}`);
      } else {
        const e = await conn.storageVolumes.listAll().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UnsupportedError);
        expect((e as UnsupportedError).extension).toBe("storage_volumes_all");
      }
      if (!(await conn.server.supports("storage_buckets"))) {
        for (const call of [
          conn.storageBuckets.list(poolA),
          conn.storageBuckets.create(poolA, { name: "storage-b" }),
          conn.storageBuckets.keys.list(poolA, "storage-b"),
        ]) {
          const e = await call.catch((x: unknown) => x);
          expect(e).toBeInstanceOf(UnsupportedError);
          expect((e as UnsupportedError).extension).toBe("storage_buckets");
        }
        return;
      }
      // The driver cannot here: a dir pool's buckets need MinIO, which this server lacks.
      const refused = await conn.storageBuckets.create(poolA, { name: `storage-b-${id}` }).catch((x: unknown) => x);
      expect(refused).toBeInstanceOf(LxdError);
      expect((refused as LxdError).lxdMessage).toMatch(/MinIO/);
      expect(await conn.storageBuckets.list(poolA)).toEqual([]);
      const keys = await conn.storageBuckets.keys.list(poolA, `storage-b-${id}`).catch((x: unknown) => x);
      expect([(keys as LxdError).status, (keys as LxdError).lxdMessage]).toEqual([
        404,
        "Failed loading storage bucket: Storage bucket not found",
      ]);
      await expect(conn.storageBuckets.keys.get(poolA, "a/b", "k")).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("volumes in a project: listed with allProjects, copied to the default project and moved back", async () => {
      const proj = `storage-j-${id}`;
      const inP = conn.project(proj);
      await conn.projects.create({ name: proj, config: { "features.images": "false", "features.profiles": "false" } });
      try {
        await inP.storageVolumes.create(poolA, "custom", { name: "pv" });
        const all = await conn.storageVolumes.list(poolA, { allProjects: true, recursion: true });
        expect(all.map((x) => `${x.project} ${x.name}`)).toContain(`${proj} pv`);
        expect(await conn.storageVolumes.list(poolA, { type: "custom" })).not.toContain("pv");
        // Into the default project: the source is the call's project (the connection's here).
        await (await inP.storageVolumes.copy(poolA, "custom", "pv", { project: "default", name: `pv-${id}` }))?.wait({ timeout: 60_000 });
        expect(await conn.storageVolumes.list(poolA, { type: "custom" })).toContain(`pv-${id}`);
        await (await conn.storageVolumes.move(poolA, "custom", `pv-${id}`, { project: proj }))?.wait({ timeout: 60_000 });
        expect(await conn.storageVolumes.list(poolA, { type: "custom" })).not.toContain(`pv-${id}`);
        expect((await inP.storageVolumes.list(poolA, { type: "custom" })).sort()).toEqual(["pv", `pv-${id}`].sort());
      } finally {
        for (const n of await inP.storageVolumes.list(poolA, { type: "custom" }).catch(() => [] as string[]))
          await inP.storageVolumes.delete(poolA, "custom", n).catch(() => undefined);
        await conn.projects.delete(proj).catch(() => undefined);
      }
      expect(await conn.projects.list()).not.toContain(proj);
    });

    it("watch(): a pool's volumes equal a fresh list after a create, a snapshot and a delete (lifecycle events)", async () => {
      const watched = `storage-w-${id}`;
      const fresh = async () => (await conn.storageVolumes.list(poolB, { type: "custom", recursion: true })).map((x) => x.name).sort();
      const watch = conn.storageVolumes.watch(poolB, "custom");
      const seen: (string | undefined)[][] = [];
      const following = (async () => {
        for await (const list of watch) seen.push(list.map((x) => x.name).sort());
      })();
      const sees = async (want: (string | undefined)[]) => {
        const end = Date.now() + 10_000;
        while (JSON.stringify(seen.at(-1)) !== JSON.stringify(want)) {
          if (Date.now() > end) throw new Error(`watch: ${JSON.stringify(seen.at(-1))}, not ${JSON.stringify(want)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      try {
        await sees(await fresh());
        await conn.storageVolumes.create(poolB, "custom", { name: watched });
        await sees(await fresh());
        expect(seen.at(-1)).toContain(watched);
        await (await conn.storageVolumes.snapshots.create(poolB, "custom", watched, "w0")).wait({ timeout: 30_000 });
        await sees(await fresh());
        expect(seen.at(-1)).toContain(`${watched}/w0`);
        await (await conn.storageVolumes.snapshots.delete(poolB, "custom", watched, "w0")).wait({ timeout: 30_000 });
        await conn.storageVolumes.delete(poolB, "custom", watched);
        await sees(await fresh());
        expect(seen.at(-1)).not.toContain(watched);
      } finally {
        watch.close();
        await following;
      }
    });

    it("deletes everything it made", async () => {
      await (await conn.instances.delete(instance, { force: true })).wait({ timeout: 60_000 });
      await conn.profiles.delete(profile);
      for (const [pool, v] of [
        [poolA, renamed],
        [poolB, renamed],
        [poolB, moved],
      ] as const) {
        for (const s of await conn.storageVolumes.snapshots.list(pool, "custom", v))
          await (await conn.storageVolumes.snapshots.delete(pool, "custom", v, s)).wait({ timeout: 30_000 });
        await conn.storageVolumes.delete(pool, "custom", v);
      }
      await conn.storagePools.delete(poolA);
      await conn.storagePools.delete(poolB);
      const left = await conn.storagePools.list();
      expect(left).not.toContain(poolA);
      expect(left).not.toContain(poolB);
    });
  });
});
