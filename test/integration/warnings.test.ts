// Warnings on the real servers: listed (names, objects, filter, project, all projects), read,
// acknowledged and set back to "new" (the warnings are the daemons' own, shared by every suite:
// each one changed here is put back as it was, also in afterAll), and LXD's refusals typed. A
// successful delete is not made here: no API creates a warning, and deleting a daemon's own
// would change what other suites see (the virtual LXD's suite deletes one).
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, type Lxd, type Warning } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const UNKNOWN = "00000000-0000-4000-8000-00000000ffff";
const byUuid = (ws: Warning[]) => ws.map((w) => w.uuid!).sort();

describeServers("real server: warnings", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const touched = new Map<string, string>();
    afterAll(async () => {
      for (const [uuid, status] of touched) await lxd.warnings.patch(undefined, uuid, { status: status as "new" }).catch(() => undefined);
      await lxd.close();
    });

    it("lists the daemon's warnings as uuids and as objects, the same set", async () => {
      const names = await lxd.warnings.list();
      const all = await lxd.warnings.list(undefined, { recursion: true });
      // The daemons here always warn at start (no AppArmor, no KVM: scripts/lxd-up.sh).
      expect(all.length).toBeGreaterThan(0);
      expect([...names].sort()).toEqual(byUuid(all));
      for (const w of all) expect(["new", "acknowledged", "resolved"]).toContain(w.status);
    });

    it("filter, project and allProjects select what LXD selects", async () => {
      const all = await lxd.warnings.list(undefined, { recursion: true });
      const low = await lxd.warnings.list(undefined, { recursion: true, filter: "severity eq low" });
      expect(byUuid(low)).toEqual(byUuid(all.filter((w) => w.severity === "low")));
      // The host's warnings belong to no project: a project's list leaves them out.
      const inDefault = await lxd.warnings.list(undefined, { recursion: true, project: "default" });
      expect(byUuid(inDefault)).toEqual(byUuid(all.filter((w) => w.project === "default")));
      // A connection scoped to a project, asked for all projects, sees them again.
      const scoped = lxd.remote(name).project("default");
      expect(byUuid(await scoped.warnings.list({ recursion: true, allProjects: true }))).toEqual(byUuid(all));
      await expect(lxd.warnings.list(undefined, { project: "default", allProjects: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("gets one warning; an unknown uuid is LXD's 404", async () => {
      const [first] = await lxd.warnings.list(undefined, { recursion: true });
      const got = await lxd.warnings.get(undefined, first!.uuid!);
      expect({ ...got, count: 0, last_seen_at: "" }).toEqual({ ...first, count: 0, last_seen_at: "" });
      const err = await lxd.warnings.get(undefined, UNKNOWN).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect(err).toMatchObject({ status: 404, lxdMessage: "Warning not found" });
    });

    it("acknowledges a warning (PATCH), then sets it back to new (PUT)", async () => {
      const all = await lxd.warnings.list(undefined, { recursion: true });
      const w = all.find((x) => x.status === "new") ?? all.find((x) => x.status === "acknowledged");
      expect(w).toBeDefined();
      const uuid = w!.uuid!;
      touched.set(uuid, w!.status!);
      expect(await lxd.warnings.acknowledge(undefined, uuid)).toBeUndefined();
      expect((await lxd.warnings.get(undefined, uuid)).status).toBe("acknowledged");
      await lxd.warnings.update(undefined, uuid, { status: "new" });
      expect((await lxd.warnings.get(undefined, uuid)).status).toBe("new");
      await lxd.warnings.patch(undefined, uuid, { status: w!.status as "new" });
      expect((await lxd.warnings.get(undefined, uuid)).status).toBe(w!.status);
      touched.delete(uuid);
    });

    it("refuses a status LXD would refuse, and a uuid that is not one path segment, before sending", async () => {
      const [first] = await lxd.warnings.list();
      await expect(lxd.warnings.update(undefined, first!, { status: "resolved" as "new" })).rejects.toThrow(
        /status must be "new" or "acknowledged"/,
      );
      await expect(lxd.warnings.patch(undefined, first!, { status: "bogus" as "new" })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.warnings.get(undefined, "a/../b")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.warnings.delete(undefined, "")).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("delete of an unknown uuid is LXD's 404; a status change of one is 404 on Incus, 200 on LXD 5.0.2", async () => {
      const err = await lxd.warnings.delete(undefined, UNKNOWN).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect(err).toMatchObject({ status: 404, lxdMessage: "Warning not found" });
      // LXD 5.0.2 updates by uuid without checking that the warning exists (measured here).
      const put = lxd.warnings.acknowledge(undefined, UNKNOWN);
      if (env.server === "lxd") await expect(put).resolves.toBeUndefined();
      else await expect(put).rejects.toMatchObject({ status: 404, lxdMessage: "Warning not found" });
    });
  });
});
