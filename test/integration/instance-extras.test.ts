// An instance's extras on the real servers, on instances of this suite's own: its log files and
// exec records (LXD 5.0 keeps them beside lxc.log, Incus under exec-output/), its image metadata
// and template files, a rebuild (Incus; LXD 5.0.2 lacks "instances_rebuild"), and one state
// change for every instance of a project of this suite's own (never the shared default project).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, type Lxd, type Operation, UnsupportedError } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 7);

describeServers("real server: instance extras", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const inst = `ops-x-${name}-${unique()}`;
    const project = `ops-bulk-${name}-${unique()}`;
    const bulk = [`ops-b1-${unique()}`, `ops-b2-${unique()}`];
    beforeAll(async () => {
      await lxd.instances.launch(undefined, inst, env.image);
    }, 120_000);
    afterAll(async () => {
      const gone = async (n: string, p?: string) =>
        (await lxd.instances.delete(undefined, n, { force: true, ...(p && { project: p }) }).catch(() => undefined))
          ?.wait({ timeout: 60_000 })
          .catch(() => undefined);
      await gone(inst);
      for (const b of bulk) await gone(b, project);
      await lxd.projects.delete(undefined, project).catch(() => undefined);
      await lxd.close();
    }, 180_000);

    it("lists and reads the instance's log files; lxc.log may not be deleted", async () => {
      const files = await lxd.instances.logs.list(undefined, inst);
      expect(files).toContain("lxc.log");
      expect(typeof (await lxd.instances.logs.get(undefined, inst, "lxc.log"))).toBe("string");
      if (files.includes("lxc.conf")) expect(await lxd.instances.logs.get(undefined, inst, "lxc.conf")).toContain(`lxc.uts.name = ${inst}`);
      const err = await lxd.instances.logs.delete(undefined, inst, "lxc.log").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect((err as LxdError).status).toBe(400);
      await expect(lxd.instances.logs.get(undefined, inst, "../lxc.log")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.instances.logs.get(undefined, inst, "exec-output/a/b")).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("an exec's recorded output: listed, read and deleted", async () => {
      const { data } = await lxd.api().POST("/1.0/instances/{name}/exec", {
        params: { path: { name: inst } },
        body: { command: ["echo", "recorded"], "record-output": true, "wait-for-websocket": false, interactive: false },
      });
      const op = (data as unknown as { metadata: Operation }).metadata;
      const done = await lxd.operations.wait(undefined, op.id, { timeout: 30_000 });
      const output = (done.metadata as { output: Record<string, string> }).output;
      const stdout = output["1"]!.split("/logs/")[1]!;
      expect(await lxd.instances.logs.records(undefined, inst)).toEqual(expect.arrayContaining([stdout, output["2"]!.split("/logs/")[1]]));
      expect(stdout.startsWith(env.server === "incus" ? "exec-output/exec_" : "exec_")).toBe(true);
      expect(await lxd.instances.logs.get(undefined, inst, stdout)).toBe("recorded\n");
      await lxd.instances.logs.delete(undefined, inst, stdout);
      expect(await lxd.instances.logs.records(undefined, inst)).not.toContain(stdout);
    });

    it("metadata: read, updated, read back; a template file put, listed, read and deleted", async () => {
      const meta = await lxd.instances.metadata.get(undefined, inst);
      expect(meta.properties?.os).toBe("busybox");
      await lxd.instances.metadata.update(undefined, inst, { ...meta, properties: { ...meta.properties, description: "ops" } });
      expect((await lxd.instances.metadata.get(undefined, inst)).properties?.description).toBe("ops");
      const t = lxd.instances.metadata.templates;
      expect(await t.list(undefined, inst)).toEqual([]);
      await t.put(undefined, inst, "hostname.tpl", "{{ container.name }}\n");
      expect(await t.list(undefined, inst)).toEqual(["hostname.tpl"]);
      expect(await t.get(undefined, inst, "hostname.tpl")).toBe("{{ container.name }}\n");
      await t.delete(undefined, inst, "hostname.tpl");
      expect(await t.list(undefined, inst)).toEqual([]);
      const err = await t.get(undefined, inst, "hostname.tpl").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect((err as LxdError).status).toBe(404);
      await expect(t.put(undefined, inst, "../x", "")).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("rebuild: a fresh root disk from the image (Incus); UnsupportedError naming the extension (LXD 5.0.2)", async () => {
      if (env.server === "lxd") {
        const err = await lxd.instances.rebuild(undefined, inst, env.image).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UnsupportedError);
        expect((err as UnsupportedError).extension).toBe("instances_rebuild");
        return;
      }
      await lxd.run(undefined, inst, ["touch", "/ops-marker"]);
      // A running instance is refused by the server.
      const running = await lxd.instances
        .rebuild(undefined, inst, env.image)
        .then((op) => op.wait({ timeout: 60_000 }))
        .catch((e: unknown) => e);
      expect(running).toBeInstanceOf(Error);
      await (await lxd.instances.setState(undefined, inst, { action: "stop", force: true })).wait({ timeout: 60_000 });
      await (await lxd.instances.rebuild(undefined, inst, env.image)).wait({ timeout: 120_000 });
      await (await lxd.instances.setState(undefined, inst, { action: "start" })).wait({ timeout: 60_000 });
      expect((await lxd.run(undefined, inst, ["test", "-e", "/ops-marker"])).exitCode).toBe(1);
      await expect(lxd.instances.rebuild(undefined, inst, { alias: "" })).rejects.toBeInstanceOf(InvalidArgumentError);
    }, 240_000);

    it("setAllStates starts, then stops, every instance of a project in one operation", async () => {
      await lxd.projects.create(undefined, { name: project, config: { "features.images": "false", "features.profiles": "false" } });
      for (const b of bulk) await (await lxd.instances.create(undefined, b, env.image, { project })).wait({ timeout: 60_000 });
      const states = async () =>
        (await lxd.instances.list(undefined, { recursion: 1, project })).map((i) => `${i.name} ${i.status}`).sort();
      expect(await states()).toEqual(bulk.map((b) => `${b} Stopped`).sort());
      await (await lxd.instances.setAllStates(undefined, { action: "start" }, { project })).wait({ timeout: 120_000 });
      expect(await states()).toEqual(bulk.map((b) => `${b} Running`).sort());
      await (await lxd.instances.setAllStates(undefined, { action: "stop", force: true }, { project })).wait({ timeout: 120_000 });
      expect(await states()).toEqual(bulk.map((b) => `${b} Stopped`).sort());
      await expect(lxd.instances.setAllStates(undefined, { action: "explode" as "start" }, { project })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }, 300_000);
  });
});
