// Instances against the real servers, over the unix socket and HTTPS: launch from the busybox
// image, list (names, objects, full, filter), get, patch, update, snapshots, rename, delete --force.
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, type Instance, type InstanceFull, type Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 8);

describeServers("real server: instances", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const made = new Set<string>();
    afterAll(async () => {
      for (const n of made)
        await (await lxd.instances.delete(name, n, { force: true }).catch(() => undefined))?.wait().catch(() => undefined);
      await lxd.close();
    });

    it("launch creates and starts an instance from an image alias; list and get see it", async () => {
      const n = `lfa-i-${name}-${unique()}`;
      made.add(n);
      const launched = await lxd.instances.launch(name, n, env.image, { config: { "user.lfa": "1" }, ephemeral: false });
      expect(launched).toMatchObject({ name: n, status: "Running", status_code: 103, ephemeral: false });
      expect(launched.config?.["user.lfa"]).toBe("1");

      expect(await lxd.instances.list(name)).toContain(n);
      const objects: Instance[] = await lxd.instances.list(name, { recursion: 1 });
      expect(objects.find((i) => i.name === n)).toMatchObject({ status: "Running" });
      const full: InstanceFull[] = await lxd.instances.list(name, { recursion: 2 });
      expect(full.find((i) => i.name === n)?.state?.status).toBe("Running");
      expect(await lxd.instances.list(name, { filter: `name eq ${n}` })).toEqual([n]);
      expect(await lxd.instances.list(name, { allProjects: true }, (names) => names.includes(n))).toBe(true);

      expect(await lxd.instances.get(name, n, (i) => i.status)).toBe("Running");
      const withState = await lxd.instances.get(name, n, { full: true });
      expect(withState.state?.status_code).toBe(103);
      // No snapshots nor backups yet: Go's nil slices, sent as null (the spec's InstanceFull says arrays).
      expect([withState.snapshots, withState.backups]).toEqual([null, null]);

      // The same calls scoped to the remote and its default project.
      const scoped = lxd.remote(name).project("default");
      expect(await scoped.instances.list({ filter: `name eq ${n}` })).toEqual([n]);
      expect(await scoped.instances.get(n, { full: true }, (i) => i.state?.status)).toBe("Running");
      expect((await scoped.instances.state(n)).status_code).toBe(103);
    });

    it("patch merges config; update replaces it (an operation); snapshots are made, listed, restored and deleted", async () => {
      const n = `lfa-s-${name}-${unique()}`;
      made.add(n);
      await lxd.instances.launch(name, n, { alias: env.image });
      await lxd.instances.patch(name, n, { config: { "user.a": "x" } });
      expect((await lxd.instances.get(name, n)).config?.["user.a"]).toBe("x");

      const current = await lxd.instances.get(name, n);
      const op = await lxd.instances.update(name, n, {
        config: { ...current.config, "user.b": "y" },
        devices: current.devices ?? {},
        profiles: current.profiles ?? [],
        description: "lfa updated",
        ephemeral: false,
        architecture: current.architecture ?? "",
        stateful: false,
      });
      await op.wait({ timeout: 30_000 });
      const updated = await lxd.instances.get(name, n);
      expect(updated.description).toBe("lfa updated");
      expect(updated.config?.["user.b"]).toBe("y");

      await (await lxd.instances.snapshots.create(name, n, "snap0")).wait({ timeout: 30_000 });
      expect(await lxd.instances.snapshots.list(name, n)).toEqual(["snap0"]);
      expect(await lxd.instances.snapshots.list(name, n, { recursion: true }, (s) => s.map((x) => x.name))).toEqual(["snap0"]);
      await lxd.instances.patch(name, n, { config: { "user.a": "changed" } });
      await (await lxd.instances.setState(name, n, { action: "stop", force: true })).wait({ timeout: 30_000 });
      await (await lxd.instances.snapshots.restore(name, n, "snap0")).wait({ timeout: 30_000 });
      expect((await lxd.instances.get(name, n)).config?.["user.a"]).toBe("x");
      await (await lxd.instances.snapshots.delete(name, n, "snap0")).wait({ timeout: 30_000 });
      expect(await lxd.instances.snapshots.list(name, n)).toEqual([]);
    });

    it("rename (stopped), delete without force refuses a running instance, delete --force stops it first", async () => {
      const n = `lfa-r-${name}-${unique()}`;
      const renamed = `${n}-2`;
      made.add(n).add(renamed);
      await (await lxd.instances.create(name, n, env.image)).wait({ timeout: 30_000 });
      expect((await lxd.instances.state(name, n)).status).toBe("Stopped");
      await (await lxd.instances.rename(name, n, renamed)).wait({ timeout: 30_000 });
      await expect(lxd.instances.get(name, n)).rejects.toMatchObject({ name: "LxdError", status: 404 });

      await (await lxd.instances.setState(name, renamed, { action: "start" })).wait({ timeout: 30_000 });
      const refused = await lxd.instances
        .delete(name, renamed)
        .then((op) => op.wait())
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(Error);
      expect((await lxd.instances.state(name, renamed)).status).toBe("Running");

      await (await lxd.instances.delete(name, renamed, { force: true })).wait({ timeout: 30_000 });
      const gone = await lxd.instances.get(name, renamed).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(LxdError);
      expect((gone as LxdError).status).toBe(404);
    });

    it("an unknown image or instance is a typed error; bad names are refused before sending", async () => {
      const n = `lfa-x-${name}-${unique()}`;
      // LXD 5.0.2 refuses the request (404); Incus starts the operation, which fails.
      const failed = await lxd.instances
        .create(name, n, "lfa-no-such-image")
        .then((op) => op.wait())
        .catch((err: unknown) => err);
      expect((failed as Error).name).toBe(env.server === "lxd" ? "LxdError" : "OperationError");
      await expect(lxd.instances.get(name, `lfa-none-${unique()}`)).rejects.toMatchObject({ status: 404 });
      await expect(lxd.instances.get(name, "../etc")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.instances.create(name, "a/b", env.image)).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
