// Cluster management on the real 3-member LXD 5.0.2 cluster (scripts/lxd-cluster-up.sh): the
// cluster's own info, a group created, a member assigned to it and removed, a member's config
// written back as it was, and one member evacuated (its instances moved off) and restored (they
// come back), timed. The cluster is shared: afterAll puts every member back Online with its groups
// and description, every instance back where it was, and removes the group.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd, InvalidArgumentError, LxdError, type Lxd, UnsupportedError } from "../../src/index.js";
import { type ClusterEnv, describeCluster } from "./lxd.js";

const SUFFIX = Math.random().toString(36).slice(2, 7);
const GROUP = `ops-grp-${SUFFIX}`;

function clientOf(env: ClusterEnv, url: string): Lxd {
  return createLxd({ remotes: { c: { url, ca: env.serverCert, cert: env.clientCert, key: env.clientKey } }, defaultRemote: "c" });
}

/** Where each instance of the cluster runs, and its status. */
async function placement(lxd: Lxd): Promise<Record<string, string>> {
  const { data } = await lxd.api().GET("/1.0/instances", { params: { query: { recursion: 1, "all-projects": true } as never } });
  const list = (data as unknown as { metadata: { name: string; project: string; location: string; status: string }[] }).metadata;
  return Object.fromEntries(list.map((i) => [`${i.project}/${i.name}`, `${i.location} ${i.status}`]));
}

describeCluster("cluster management", (env) => {
  const [m1, , m3] = env.members;
  const lxd = clientOf(env, m1!.url);
  const viaSocket = createLxd({ remotes: { s: { socket: m1!.socket } }, defaultRemote: "s" });
  const victim = m3!.name;
  let before: Record<string, string> = {};
  const originals = new Map<string, { groups: string[]; description: string }>();
  beforeAll(async () => {
    before = await placement(lxd);
    for (const m of await lxd.cluster.members())
      originals.set(m.server_name!, { groups: m.groups ?? [], description: m.description ?? "" });
    expect(Object.keys(before).length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    try {
      const members = await lxd.cluster.members();
      if (members.find((m) => m.server_name === victim)?.status === "Evacuated")
        await (await lxd.cluster.restore(undefined, victim)).wait({ timeout: 180_000 });
      for (const m of members) {
        const o = originals.get(m.server_name!);
        if (o && (JSON.stringify(m.groups ?? []) !== JSON.stringify(o.groups) || (m.description ?? "") !== o.description))
          await lxd.cluster
            .updateMember(undefined, m.server_name!, {
              groups: o.groups,
              description: o.description,
              roles: m.roles ?? [],
              config: m.config ?? {},
              failure_domain: m.failure_domain ?? "default",
            })
            .catch(() => undefined);
      }
      await lxd.cluster.groups.delete(undefined, GROUP).catch(() => undefined);
    } finally {
      await lxd.close();
      await viaSocket.close();
    }
  }, 240_000);

  it("info() names the member that answers, over HTTPS and the unix socket", async () => {
    expect(await lxd.cluster.info()).toMatchObject({ server_name: m1!.name, enabled: true });
    const other = clientOf(env, m3!.url);
    expect(await other.cluster.info().finally(() => other.close())).toMatchObject({ server_name: m3!.name });
    expect((await viaSocket.cluster.info()).server_name).toBe(m1!.name);
  });

  it("a group: created, a member assigned through its groups and removed, renamed, deleted", async () => {
    const g = lxd.cluster.groups;
    expect(await g.create(undefined, { name: GROUP, description: "lxdfetch ops" })).toBeUndefined();
    expect(await g.list()).toContain(GROUP);
    expect(await g.get(undefined, GROUP)).toMatchObject({ name: GROUP, description: "lxdfetch ops", members: [] });
    const m2 = env.members[1]!.name;
    const { groups = [] } = await lxd.cluster.member(undefined, m2);
    // LXD 5.0.2's PATCH of a member takes a missing `roles` as none: a voter refuses that.
    const refused = await lxd.cluster.patchMember(undefined, m2, { groups: [...groups, GROUP] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LxdError);
    expect(refused).toMatchObject({ status: 400, lxdMessage: 'The "database" role cannot be dropped at this time' });
    await lxd.cluster.setMemberGroups(undefined, m2, [...groups, GROUP]);
    expect((await lxd.cluster.member(undefined, m2)).groups).toEqual([...groups, GROUP]);
    expect((await g.get(undefined, GROUP)).members).toEqual([m2]);
    // The same through the unix socket of another member: one cluster database.
    expect((await viaSocket.cluster.groups.list(undefined, { recursion: true })).find((x) => x.name === GROUP)?.members).toEqual([m2]);
    await lxd.cluster.setMemberGroups(undefined, m2, groups);
    expect((await lxd.cluster.member(undefined, m2)).groups).toEqual(groups);
    expect((await g.get(undefined, GROUP)).members ?? []).toEqual([]);
    await g.rename(undefined, GROUP, `${GROUP}-r`);
    await g.rename(undefined, `${GROUP}-r`, GROUP);
    await g.delete(undefined, GROUP);
    expect(await g.list()).not.toContain(GROUP);
    const err = await g.get(undefined, GROUP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect((err as LxdError).status).toBe(404);
  });

  it("a member's config and description: written with PUT and put back exactly", async () => {
    const m = await lxd.cluster.member(undefined, victim);
    const put = {
      description: m.description ?? "",
      config: m.config ?? {},
      failure_domain: m.failure_domain ?? "default",
      groups: m.groups ?? [],
      roles: m.roles ?? [],
    };
    await lxd.cluster.updateMember(undefined, victim, { ...put, description: `lxdfetch ops ${SUFFIX}` });
    expect((await lxd.cluster.member(undefined, victim)).description).toBe(`lxdfetch ops ${SUFFIX}`);
    await lxd.cluster.updateMember(undefined, victim, put);
    const after = await lxd.cluster.member(undefined, victim);
    expect([after.description, after.config, after.groups, after.roles]).toEqual([m.description, m.config, m.groups, m.roles]);
  });

  it("refuses bad input before sending", async () => {
    await expect(lxd.cluster.evacuate(undefined, "m1/..")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.cluster.evacuate(undefined, victim, { mode: "teleport" as "stop" })).rejects.toThrow(/mode must be one of/);
    await expect(lxd.cluster.patchMember(undefined, victim, { groups: "default" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.cluster.patchMember(undefined, victim, { config: { a: 1 } as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    // LXD 5.0.2 has clustering_evacuation but not the per-call mode: refused before sending.
    const err = await lxd.cluster.evacuate(undefined, victim, { mode: "stop" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err).toMatchObject({ extension: "clustering_evacuation_mode" });
    expect((await lxd.cluster.member(undefined, victim)).status).toBe("Online");
  });

  it("evacuates a member (its instances move off) and restores it (they come back), timed", async () => {
    const mine = Object.entries(before).filter(([, where]) => where.startsWith(`${victim} `));
    expect(mine.length).toBeGreaterThan(0);
    let t = performance.now();
    const evacuation = await lxd.cluster.evacuate(undefined, victim);
    await evacuation.wait({ timeout: 180_000 });
    const evacuateMs = performance.now() - t;
    expect((await lxd.cluster.member(undefined, victim)).status).toBe("Evacuated");
    const moved = await placement(lxd);
    for (const [key] of mine) {
      expect(moved[key]).toBeDefined();
      expect(moved[key]!.split(" ")[0]).not.toBe(victim);
    }
    t = performance.now();
    await (await lxd.cluster.restore(undefined, victim)).wait({ timeout: 180_000 });
    const restoreMs = performance.now() - t;
    expect((await lxd.cluster.member(undefined, victim)).status).toBe("Online");
    expect(await placement(lxd)).toEqual(before);
    console.log(
      `[cluster] evacuate ${victim} (${mine.length} instance(s): ${mine.map(([k]) => `${k} → ${moved[k]}`).join(", ")}): ${Math.round(evacuateMs)} ms; restore: ${Math.round(restoreMs)} ms`,
    );
  }, 400_000);
});
