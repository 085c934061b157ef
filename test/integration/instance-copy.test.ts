// Instance copy and move against the real servers: the main LXD 5.0.2 daemon and the 3-member
// LXD 5.0.2 cluster are two independent servers, Incus 6.0.4 a third. A container with a 64 MiB
// file of random bytes goes each way in each mode and the file's sha256 is compared through exec.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeAllServers } from "./lxd.js";
import { loadClusterEnv, loadServerEnv } from "../../scripts/lxd-env.mjs";
import { cli, cliConfig } from "../support/cli.js";
import { AbortError, createLxd, LiveMigrationError, LxdError, type Lxd, type MigrationMode } from "../../src/index.js";

const lxdEnv = loadServerEnv("lxd").env;
const incusEnv = loadServerEnv("incus").env;
const clusterEnv = loadClusterEnv().env;
const P = `migrate-${Math.random().toString(36).slice(2, 7)}`;
const MODES: MigrationMode[] = ["pull", "push", "relay"];
const BLOB = "head -c 67108864 /dev/urandom > /root/blob && sha256sum /root/blob";

describeAllServers("instance copy and move [LXD 5.0.2, LXD 5.0.2 cluster, Incus 6.0.4]", () => {
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
      cl: { url: cl.urls, ...tls(cl) },
      // A member's unix socket: pulling from it, the target is sent the member's network address.
      m1: { socket: cl.members[0]!.socket },
      incus: { socket: inc.socket },
      incush: { url: inc.httpsUrl, ...tls(inc) },
    },
    defaultRemote: "lxd",
  });
  const made: [remote: string, name: string][] = [];
  const sha = async (remote: string, name: string, file = "/root/blob") =>
    (await client.run(remote, name, ["sha256sum", file])).text().split(" ")[0];
  const start = async (remote: string, name: string) => (await client.instances.setState(remote, name, { action: "start" })).wait();
  const exists = (remote: string, name: string) =>
    client.instances.get(remote, name).then(
      () => true,
      (e: unknown) => (e instanceof LxdError && e.status === 404 ? false : Promise.reject(e)),
    );
  const drop = async (remote: string, name: string) => {
    const op = await client.instances.delete(remote, name, { force: true }).catch(() => undefined);
    await op?.wait().catch(() => undefined);
  };
  const launchWithBlob = async (remote: string, name: string, image: string, target?: string) => {
    made.push([remote, name]);
    await client.instances.launch(remote, name, image, target ? { target } : {});
    return (await client.run(remote, name, ["sh", "-c", BLOB])).text().split(" ")[0] ?? "";
  };
  let mainSha = "";
  let clusterSha = "";

  beforeAll(async () => {
    [mainSha, clusterSha] = await Promise.all([
      launchWithBlob("lxd", `${P}-src`, lxd.image),
      launchWithBlob("cl", `${P}-csrc`, cl.image, "m1"),
    ]);
    expect(mainSha).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(made.map(([remote, name]) => drop(remote, name)));
    await client.close();
  }, 120_000);

  // Both directions at once: they are independent, and the file's time stays small.
  it("copies a running container main LXD → cluster and cluster → main LXD in pull, push and relay; sha256 equal", async () => {
    const toCluster = async () => {
      const names = MODES.map((mode) => `${P}-to-cl-${mode}`);
      for (const [i, mode] of MODES.entries()) {
        const name = names[i] as string;
        made.push(["cl", name]);
        // Pull from the unix socket: the target is sent the source's network address.
        const from = mode === "pull" ? "lxd" : "lxdh";
        const stages = new Set<string>();
        const done = await client.migration.copy(
          from,
          `${P}-src`,
          { remote: "cl", name },
          {
            mode,
            stateless: true,
            onProgress: (p) => void stages.add(`${p.side}:${p.stage}`),
          },
        );
        expect(done).toEqual({ remote: "cl", name, project: undefined, mode });
        expect([...stages]).toContain("target:fs_progress");
      }
      await Promise.all(names.map((name) => start("cl", name)));
      expect(await Promise.all(names.map((name) => sha("cl", name)))).toEqual(names.map(() => mainSha));
      // The pull copy is refreshed below; stopped, as a refresh needs.
      await (await client.instances.setState("cl", names[0] as string, { action: "stop", force: true })).wait();
    };
    const toMain = async () => {
      const names = MODES.map((mode) => `${P}-to-main-${mode}`);
      for (const [i, mode] of MODES.entries()) {
        const name = names[i] as string;
        made.push(["lxd", name]);
        // Pull from a member's unix socket: the target is sent the member's network address.
        const from = mode === "pull" ? "m1" : "cl";
        const to = mode === "push" ? "lxdh" : "lxd";
        expect((await client.migration.copy(from, `${P}-csrc`, { remote: to, name }, { mode, stateless: true })).mode).toBe(mode);
      }
      await Promise.all(names.map((name) => start("lxd", name)));
      expect(await Promise.all(names.map((name) => sha("lxd", name)))).toEqual(names.map(() => clusterSha));
    };
    await Promise.all([toCluster(), toMain()]);
  }, 90_000);

  it("refreshes an earlier copy after a change on the source: the new file arrives, the old one stays", async () => {
    const name = `${P}-to-cl-pull`;
    const changed = (await client.run("lxd", `${P}-src`, ["sh", "-c", "head -c 1048576 /dev/urandom > /root/new && sha256sum /root/new"]))
      .text()
      .split(" ")[0];
    await client.migration.copy("lxd", `${P}-src`, { remote: "cl", name }, { refresh: true, stateless: true });
    await start("cl", name);
    expect(await sha("cl", name, "/root/new")).toBe(changed);
    expect(await sha("cl", name)).toBe(mainSha);
  }, 60_000);

  it("refuses a stateful copy of a running container (no CRIU) with LiveMigrationError, leaving nothing on the target", async () => {
    for (const mode of ["pull", "push"] as const) {
      const name = `${P}-live-${mode}`;
      made.push(["cl", name]);
      const err = await client.migration.copy("lxdh", `${P}-src`, { remote: "cl", name }, { mode }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LiveMigrationError);
      expect((err as Error).message).toMatch(/CRIU isn't installed/);
      expect((err as LiveMigrationError).leftover).toBeUndefined();
      expect(await exists("cl", name)).toBe(false);
    }
    expect((await client.instances.get("lxd", `${P}-src`)).status).toBe("Running");
  }, 60_000);

  it("aborted mid-copy in relay: AbortError, no instance left on the target, the source intact and running", async () => {
    const name = `${P}-abort`;
    made.push(["cl", name]);
    const ctl = new AbortController();
    let relayed = 0;
    const err = await client.migration
      .copy(
        "lxdh",
        `${P}-src`,
        { remote: "cl", name },
        {
          mode: "relay",
          stateless: true,
          signal: ctl.signal,
          onProgress: (p) => {
            relayed = p.relayed ?? 0;
            if (relayed > 8 << 20) ctl.abort(new Error("enough"));
          },
        },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(relayed).toBeGreaterThan(8 << 20);
    expect(relayed).toBeLessThan(64 << 20);
    expect(await exists("cl", name)).toBe(false);
    expect((await client.instances.get("lxd", `${P}-src`)).status).toBe("Running");
    expect(await sha("lxd", `${P}-src`)).toBe(mainSha);
  }, 60_000);

  it("copies within Incus (the server copies by itself) and between LXD 5.0.2 and Incus 6.0.4 both ways", async () => {
    const name = `${P}-i`;
    made.push(["incus", name]);
    await client.instances.launch("incus", name, inc.image);
    const incSha = (await client.run("incus", name, ["sh", "-c", "head -c 8388608 /dev/urandom > /root/blob && sha256sum /root/blob"]))
      .text()
      .split(" ")[0];
    made.push(["incus", `${name}-copy`]);
    expect((await client.migration.copy("incush", name, { name: `${name}-copy` }, { stateless: true })).mode).toBe("local");
    await start("incus", `${name}-copy`);
    expect(await sha("incus", `${name}-copy`)).toBe(incSha);
    // LXD 5.0.2 and Incus 6.0.4 speak the same migration protocol: both directions succeed.
    made.push(["lxd", `${name}-on-lxd`], ["incus", `${P}-from-lxd`]);
    await client.migration.copy("incush", name, { remote: "lxdh", name: `${name}-on-lxd` }, { mode: "relay", stateless: true });
    await client.migration.copy("lxd", `${P}-src`, { remote: "incus", name: `${P}-from-lxd` }, { mode: "pull", stateless: true });
    await Promise.all([start("lxd", `${name}-on-lxd`), start("incus", `${P}-from-lxd`)]);
    expect(await sha("lxd", `${name}-on-lxd`)).toBe(incSha);
    expect(await sha("incus", `${P}-from-lxd`)).toBe(mainSha);
  }, 90_000);

  it("moves within the cluster from m1 to m2 with a new name, then to the main LXD (copy, then the source deleted)", async () => {
    const name = `${P}-mv`;
    made.push(["cl", name], ["cl", `${name}2`], ["lxd", `${name}2`]);
    await (await client.instances.create("cl", name, cl.image, { target: "m1" })).wait();
    const moved = await client.migration.move("cl", name, { target: "m2", name: `${name}2` });
    expect(moved).toEqual({ remote: "cl", name: `${name}2`, project: undefined, mode: "local" });
    expect((await client.instances.get("cl", `${name}2`)).location).toBe("m2");
    expect(await exists("cl", name)).toBe(false);
    expect((await client.migration.move("cl", `${name}2`, { remote: "lxd" }, { mode: "relay" })).mode).toBe("relay");
    expect(await exists("cl", `${name}2`)).toBe(false);
    expect((await client.instances.get("lxd", `${name}2`)).status).toBe("Stopped");
  }, 60_000);

  it("CLI (dist/cli.js): `copy local:<c> cl:<c>-cli --mode relay --stateless`, then `move` (a rename on the cluster)", async () => {
    // lxc's own config layout: local (the unix socket), tls, and the cluster as `cl`.
    const conf = cliConfig(lxd);
    try {
      writeFileSync(join(conf.dir, "servercerts", "cl.crt"), cl.serverCert);
      const yml = join(conf.dir, "config.yml");
      const text = readFileSync(yml, "utf8");
      writeFileSync(
        yml,
        text.replace(
          "aliases: {}",
          `  cl:\n    addr: ${cl.urls[0]}\n    auth_type: tls\n    protocol: lxd\n    public: false\naliases: {}`,
        ),
      );
      const name = `${P}-cli`;
      made.push(["cl", name], ["cl", `${name}-2`]);
      const copied = await cli(["copy", `local:${P}-src`, `cl:${name}`, "--mode", "relay", "--stateless", "-c", "user.migrate=cli"], {
        env: conf.env,
        timeoutMs: 60_000,
      });
      expect(copied.stderr).toBe("");
      expect(copied.code).toBe(0);
      expect((await client.instances.get("cl", name)).config?.["user.migrate"]).toBe("cli");
      // A rename on the cluster, then the copy started and its file compared.
      const moved = await cli(["move", `cl:${name}`, `cl:${name}-2`], { env: conf.env, timeoutMs: 60_000 });
      expect([moved.code, moved.stderr]).toEqual([0, ""]);
      expect(await exists("cl", name)).toBe(false);
      await start("cl", `${name}-2`);
      expect(await sha("cl", `${name}-2`)).toBe(mainSha);
      const bad = await cli(["copy", `local:${P}-src`, "cl:x", "--mode", "sideways"], { env: conf.env });
      expect([bad.code, bad.stderr.trim()]).toEqual([2, "lxd-fetch: --mode is one of pull, push, relay"]);
    } finally {
      conf.remove();
    }
  }, 90_000);
});
