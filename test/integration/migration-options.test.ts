// Instance copy and move's options against the real servers (the main LXD 5.0.2, the 3-member LXD
// 5.0.2 cluster, Incus 6.0.4): `instanceOnly` (a copy without the source's snapshots), the
// profiles / config / devices overrides, and moves and copies between projects, in every mode
// between servers and by the server itself within one. A stopped busybox container with two
// snapshots is the source; what each copy holds is read back from the target's API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAllServers } from "./lxd.js";
import { loadClusterEnv, loadServerEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, type Lxd, LxdError, MigrationError, type MigrationMode } from "../../src/index.js";

const lxdEnv = loadServerEnv("lxd").env;
const incusEnv = loadServerEnv("incus").env;
const clusterEnv = loadClusterEnv().env;
const P = `migrate2-${Math.random().toString(36).slice(2, 7)}`;
const MODES: MigrationMode[] = ["pull", "push", "relay"];
const SNAPS = ["s1", "s2"];

describeAllServers("instance copy and move options [LXD 5.0.2, LXD 5.0.2 cluster, Incus 6.0.4]", () => {
  const lxd = lxdEnv!;
  const inc = incusEnv!;
  const cl = clusterEnv!;
  const tls = (e: { serverCert: string; clientCert: string; clientKey: string }) => ({
    ca: e.serverCert,
    cert: e.clientCert,
    key: e.clientKey,
  });
  const client: Lxd = createLxd({
    remotes: {
      lxd: { socket: lxd.socket },
      lxdh: { url: lxd.httpsUrl, ...tls(lxd) },
      // The cluster through m1's unix socket: the coordinator's CI set-up reissues the cluster
      // certificate while other suites run, and a copy is the same through any member.
      cl: { socket: cl.members[0]!.socket },
      incus: { socket: inc.socket },
      incush: { url: inc.httpsUrl, ...tls(inc) },
    },
    defaultRemote: "lxd",
  });
  const project = P;
  const profile = `${P}-prof`;
  const src = `${P}-src`;
  const made: [remote: string, name: string, project?: string][] = [];
  const projectOf = (p?: string) => (p === undefined ? {} : { project: p });
  const exists = (remote: string, name: string, p?: string) =>
    client.instances.get(remote, name, projectOf(p)).then(
      () => true,
      (e: unknown) => (e instanceof LxdError && e.status === 404 ? false : Promise.reject(e)),
    );
  const snapshots = (remote: string, name: string, p?: string) => client.instances.snapshots.list(remote, name, projectOf(p));
  const drop = async (remote: string, name: string, p?: string) => {
    const op = await client.instances.delete(remote, name, { force: true, ...projectOf(p) }).catch(() => undefined);
    await op?.wait().catch(() => undefined);
  };
  /** A stopped container with config, a device of its own and two snapshots. */
  const source = async (remote: string, name: string, image: string, target?: string) => {
    made.push([remote, name]);
    await (
      await client.instances.create(remote, name, image, {
        config: { "user.keep": "1", "user.m2": "orig" },
        devices: { tmp: { type: "disk", source: "/tmp", path: "/mnt/t", readonly: "true" } },
        ...(target && { target }),
      })
    ).wait();
    for (const s of SNAPS) await (await client.instances.snapshots.create(remote, name, s)).wait();
  };

  beforeAll(async () => {
    await Promise.all([source("lxd", src, lxd.image), source("cl", `${P}-csrc`, cl.image, "m1"), source("incus", `${P}-isrc`, inc.image)]);
    // The project shares the default project's images and profiles, so the busybox image and the
    // default profile's root disk serve its instances; a cluster's projects are cluster-wide.
    const body = { name: project, config: { "features.images": "false", "features.profiles": "false" } };
    await Promise.all(["lxd", "cl", "incus"].map((r) => client.projects.create(r, body)));
    await client.profiles.create("cl", { name: profile, config: { "user.from-profile": "1" } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(made.map(([remote, name, p]) => drop(remote, name, p)));
    await client.profiles.delete("cl", profile).catch(() => undefined);
    await Promise.all(["lxd", "cl", "incus"].map((r) => client.projects.delete(r, project).catch(() => undefined)));
    await client.close();
  }, 120_000);

  describe("instanceOnly", () => {
    it("main LXD → cluster in pull, push and relay: no snapshots with it, both snapshots without", async () => {
      for (const mode of MODES) {
        const only = `${P}-only-${mode}`;
        const full = `${P}-full-${mode}`;
        made.push(["cl", only], ["cl", full]);
        const from = mode === "pull" ? "lxd" : "lxdh";
        expect(await client.migration.copy(from, src, { remote: "cl", name: only }, { mode, instanceOnly: true })).toEqual({
          remote: "cl",
          name: only,
          project: undefined,
          mode,
        });
        await client.migration.copy(from, src, { remote: "cl", name: full }, { mode });
        expect([mode, await snapshots("cl", only), await snapshots("cl", full)]).toEqual([mode, [], SNAPS]);
      }
      expect(await snapshots("lxd", src)).toEqual(SNAPS);
    }, 120_000);

    it("cluster → main LXD (relay) and LXD 5.0.2 → Incus 6.0.4 (pull): no snapshots with it, both without", async () => {
      made.push(["lxd", `${P}-only-back`], ["incus", `${P}-only-inc`], ["incus", `${P}-full-inc`]);
      await client.migration.copy("cl", `${P}-csrc`, { remote: "lxd", name: `${P}-only-back` }, { mode: "relay", instanceOnly: true });
      await client.migration.copy("lxd", src, { remote: "incush", name: `${P}-only-inc` }, { mode: "pull", instanceOnly: true });
      await client.migration.copy("lxd", src, { remote: "incush", name: `${P}-full-inc` }, { mode: "pull" });
      expect(await snapshots("lxd", `${P}-only-back`)).toEqual([]);
      expect(await snapshots("incus", `${P}-only-inc`)).toEqual([]);
      expect(await snapshots("incus", `${P}-full-inc`)).toEqual(SNAPS);
      expect(await snapshots("cl", `${P}-csrc`)).toEqual(SNAPS);
    }, 120_000);

    it("within one server (the server's own copy): the cluster m1 → m2, Incus, the main LXD", async () => {
      for (const [remote, name, target] of [
        ["cl", `${P}-csrc`, "m2"],
        ["incush", `${P}-isrc`, undefined],
        ["lxd", src, undefined],
      ] as const) {
        const copy = `${name}-local-only`;
        const at = remote === "incush" ? "incus" : remote;
        made.push([at, copy]);
        const done = await client.migration.copy(remote, name, { name: copy, ...(target && { target }) }, { instanceOnly: true });
        expect(done.mode).toBe("local");
        expect(await snapshots(at, copy)).toEqual([]);
        if (target) expect((await client.instances.get(at, copy)).location).toBe(target);
        expect(await snapshots(at, name)).toEqual(SNAPS);
      }
    }, 120_000);
  });

  describe("profiles, config and devices overrides", () => {
    it("main LXD → cluster in pull, push and relay: the overrides on the copy and (profiles) its snapshots", async () => {
      for (const mode of MODES) {
        const name = `${P}-ovr-${mode}`;
        made.push(["cl", name]);
        await client.migration.copy(
          mode === "pull" ? "lxd" : "lxdh",
          src,
          { remote: "cl", name },
          {
            mode,
            profiles: ["default", profile],
            config: { "user.m2": "over", "user.added": "yes" },
            devices: { tmp: { path: "/mnt/u" }, extra: { type: "none" } },
          },
        );
        const got = await client.instances.get("cl", name);
        expect(got.profiles).toEqual(["default", profile]);
        expect(got.config).toMatchObject({ "user.keep": "1", "user.m2": "over", "user.added": "yes" });
        // The source's volatile keys are not carried (but the base image): the target makes its own.
        const volatile = Object.keys(got.config ?? {}).filter((k) => k.startsWith("volatile.") && k !== "volatile.base_image");
        expect(volatile.every((k) => (got.config?.[k] ?? "") !== "")).toBe(true);
        expect(got.devices).toEqual({
          tmp: { type: "disk", source: "/tmp", path: "/mnt/u", readonly: "true" },
          extra: { type: "none" },
        });
        expect(got.expanded_config?.["user.from-profile"]).toBe("1");
        const snaps = await client.instances.snapshots.list("cl", name, { recursion: true }, (s) => s.map((x) => [x.name, x.profiles]));
        expect(snaps).toEqual(SNAPS.map((s) => [s, ["default", profile]]));
      }
    }, 120_000);

    it("within the cluster (m1 → m3) and within Incus: the server's own copy takes the overrides too", async () => {
      const name = `${P}-ovr-local`;
      made.push(["cl", name], ["incus", name]);
      const o = { profiles: ["default", profile], config: { "user.m2": "over" }, devices: { tmp: { path: "/mnt/u" } } };
      expect((await client.migration.copy("cl", `${P}-csrc`, { name, target: "m3" }, o)).mode).toBe("local");
      const got = await client.instances.get("cl", name);
      expect([got.location, got.profiles, got.config?.["user.m2"], got.config?.["user.keep"], got.devices?.tmp?.path]).toEqual([
        "m3",
        ["default", profile],
        "over",
        "1",
        "/mnt/u",
      ]);
      await client.migration.copy("incush", `${P}-isrc`, { name }, { config: o.config, devices: o.devices });
      const onIncus = await client.instances.get("incus", name);
      expect([onIncus.config?.["user.m2"], onIncus.devices?.tmp?.path, onIncus.devices?.tmp?.readonly]).toEqual(["over", "/mnt/u", "true"]);
    }, 120_000);

    it("a profile the target lacks: the target's refusal as MigrationError, nothing left on it, the source intact", async () => {
      for (const mode of MODES) {
        const name = `${P}-noprof-${mode}`;
        made.push(["cl", name]);
        const err = await client.migration
          .copy(mode === "pull" ? "lxd" : "lxdh", src, { remote: "cl", name }, { mode, profiles: ["default", `${P}-missing`] })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MigrationError);
        expect((err as MigrationError).leftover).toBeUndefined();
        // LXD 5.0.2's words, kept in the message and as the cause.
        expect((err as Error).message).toMatch(new RegExp(`Requested profile "${P}-missing" doesn't exist|Profile not found`, "i"));
        expect((err as Error).cause).toBeInstanceOf(LxdError);
        expect(await exists("cl", name)).toBe(false);
      }
      expect(await snapshots("lxd", src)).toEqual(SNAPS);
    }, 120_000);
  });

  describe("between projects", () => {
    it("copies main LXD (default) → the cluster's project in pull and relay; Incus → main LXD's project (relay) only without snapshots", async () => {
      for (const mode of ["pull", "relay"] as const) {
        const name = `${P}-toproj-${mode}`;
        made.push(["cl", name, project]);
        const done = await client.migration.copy(mode === "pull" ? "lxd" : "lxdh", src, { remote: "cl", name, project }, { mode });
        expect(done).toEqual({ remote: "cl", name, project, mode });
        expect(await client.instances.list("cl", { project })).toContain(name);
        expect(await exists("cl", name)).toBe(false); // not in the default project
        expect(await snapshots("cl", name, project)).toEqual(SNAPS);
      }
      // Incus 6.0.4's snapshots carry a config key LXD 5.0.2 does not know: the target refuses
      // them, the copy is undone; without the snapshots the same copy succeeds.
      const name = `${P}-frominc`;
      made.push(["lxd", name, project]);
      const to = { remote: "lxdh", name, project };
      const err = await client.migration.copy("incush", `${P}-isrc`, to, { mode: "relay" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toContain(
        `Failed creating instance snapshot record "${name}/s1": Unknown configuration key: volatile.uuid.generation`,
      );
      expect((err as MigrationError).leftover).toBeUndefined();
      expect(await exists("lxd", name, project)).toBe(false);
      await client.migration.copy("incush", `${P}-isrc`, to, { mode: "relay", instanceOnly: true });
      expect(await exists("lxd", name, project)).toBe(true);
      expect(await snapshots("incus", `${P}-isrc`)).toEqual(SNAPS);
    }, 120_000);

    it("moves between servers from a project (`project`) to another server's default project, the source deleted", async () => {
      const name = `${P}-toproj-pull`;
      made.push(["lxd", `${name}-back`]);
      const moved = await client.migration.move(
        "cl",
        name,
        { remote: "lxdh", name: `${name}-back`, project: "default" },
        { project, mode: "push" },
      );
      expect(moved).toEqual({ remote: "lxdh", name: `${name}-back`, project: "default", mode: "push" });
      expect(await exists("cl", name, project)).toBe(false);
      expect(await snapshots("lxd", `${name}-back`)).toEqual(SNAPS);
    }, 120_000);

    it("moves within one server to another project and back (instance_project_move): cluster, main LXD, Incus", async () => {
      for (const remote of ["cl", "lxd", "incus"] as const) {
        const name = `${P}-pmove-${remote}`;
        made.push([remote, name], [remote, name, project]);
        await client.migration.copy(remote, remote === "cl" ? `${P}-csrc` : remote === "lxd" ? src : `${P}-isrc`, { name });
        const there = await client.migration.move(remote, name, { project });
        expect(there).toEqual({ remote, name, project, mode: "local" });
        expect([await exists(remote, name), await exists(remote, name, project)]).toEqual([false, true]);
        expect(await snapshots(remote, name, project)).toEqual(SNAPS);
        await client.migration.move(remote, name, { project: "default" }, { project });
        expect([await exists(remote, name), await exists(remote, name, project)]).toEqual([true, false]);
      }
    }, 180_000);

    it("copies within one server between projects (container_copy_project): Incus, and the cluster on the source's member", async () => {
      for (const [remote, from] of [
        ["incus", `${P}-isrc`],
        ["cl", `${P}-csrc`],
      ] as const) {
        const name = `${P}-pcopy`;
        made.push([remote, name, project]);
        expect(await client.migration.copy(remote, from, { name, project }, { instanceOnly: true })).toEqual({
          remote,
          name,
          project,
          mode: "local",
        });
        expect(await snapshots(remote, name, project)).toEqual([]);
        const got = await client.instances.get(remote, name, { project });
        expect(got.config?.["user.keep"]).toBe("1");
        // On the cluster, made on the source's member (m1): the only one LXD 5.0.2 finds it from.
        if (remote === "cl") expect(got.location).toBe("m1");
      }
      // Another member named: LXD 5.0.2's refusal, typed, and nothing made.
      const err = await client.migration.copy("cl", `${P}-csrc`, { name: `${P}-pcopy2`, project, target: "m2" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toContain("404 Failed to get address of instance's member: Instance not found");
      expect(await exists("cl", `${P}-pcopy2`, project)).toBe(false);
    }, 120_000);
  });
});
