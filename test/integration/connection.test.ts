// Connections against the real servers: a project-scoped connection asked for all projects lists
// every project's entries (instances; operations where the server has the extension), profiles
// and projects as families on the collection helper, and everything made here removed again.
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, type Lxd, UnsupportedError } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 8);

describeServers("real server: connections", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const project = `lfp-${name}-${unique()}`;
    const profile = `lfp-prof-${unique()}`;
    const instance = `lfp-i-${unique()}`;
    afterAll(async () => {
      const inP = lxd.remote(name).project(project);
      await (await inP.instances.delete(instance, { force: true }).catch(() => undefined))
        ?.wait({ timeout: 60_000 })
        .catch(() => undefined);
      await lxd
        .remote(name)
        .profiles.delete(profile)
        .catch(() => undefined);
      await lxd
        .remote(name)
        .projects.delete(project)
        .catch(() => undefined);
      await lxd.close();
    });

    it("a project, a profile and an instance in the project; allProjects on a default-scoped connection sees every project", async () => {
      const conn = lxd.remote(name);
      // The project uses the default project's images and profiles, so the busybox image and the
      // default profile's root disk serve its instance.
      await conn.projects.create({ name: project, config: { "features.images": "false", "features.profiles": "false" } });
      expect(await conn.projects.list()).toContain(project);
      expect((await conn.projects.get(project)).config?.["features.images"]).toBe("false");
      expect(await conn.projects.state(project)).toHaveProperty("resources");

      await conn.profiles.create({ name: profile, config: { "user.lfp": "1" }, description: "lxd-fetch test" });
      expect((await conn.profiles.get(profile)).config).toEqual({ "user.lfp": "1" });
      await conn.profiles.patch(profile, { config: { "user.lfp": "2" } });
      expect(await conn.profiles.get(profile, (p) => p.config?.["user.lfp"])).toBe("2");

      const inP = conn.project(project);
      await inP.instances.launch(instance, env.image, { profiles: ["default", profile] });
      expect(await inP.instances.list()).toEqual([instance]);
      expect(await conn.project("default").instances.list()).not.toContain(instance);

      const all = await conn.project("default").instances.list({ allProjects: true, recursion: 1 });
      const seen = all.map((i) => `${i.project} ${i.name}`);
      expect(seen).toContain(`${project} ${instance}`);
      expect(seen).toContain(`default ${env.container}`);
    });

    it("operations.list({ allProjects }) on a project-scoped connection: every project's operations, or UnsupportedError without the extension", async () => {
      const conn = lxd.remote(name);
      const supported = await conn.server.supports("operations_get_query_all_projects");
      // An operation in each project, running while the list is asked for.
      const here = await conn.project(project).exec(instance, ["sleep", "3"]);
      const there = await conn.project("default").exec(env.container, ["sleep", "3"]);
      try {
        const listing = conn.project(project).operations.list({ allProjects: true });
        if (!supported) {
          await expect(listing).rejects.toBeInstanceOf(UnsupportedError);
          return;
        }
        const running = (await listing).running ?? [];
        expect(running).toContain(`/1.0/operations/${here.operation.id}`);
        expect(running).toContain(`/1.0/operations/${there.operation.id}`);
      } finally {
        await Promise.all([here.exited, there.exited]);
      }
    });

    it("profiles and projects refuse bad input before sending and give LXD's own refusal typed", async () => {
      const conn = lxd.remote(name);
      await expect(conn.profiles.create({ name: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(conn.profiles.create({ name: "x", config: { a: 1 as never } })).rejects.toThrow(/must be a string/);
      await expect(conn.projects.get("..")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(conn.profiles.get(`lfp-missing-${unique()}`)).rejects.toMatchObject({ status: 404 });
      await expect(conn.projects.delete("default")).rejects.toMatchObject({ name: "LxdError" });
    });
  });
});
