// The networks–storage–profile–project flow of test/integration/flow.test.ts through the CLI alone
// (dist/cli.js spawned with the server's own CLI config), on each real server over its `local`
// (unix socket) remote: a bridge with no addresses, a dir pool and a custom volume, a profile
// given both by `profile edit` from YAML on stdin, a project; `launch -p` in the project; `exec
// --project` sees the NIC and the mount; volume snapshot and restore; warnings and metrics (query);
// everything removed again in reverse order, each refusal of a second delete a one-line error.
import { afterAll, expect, it, vi } from "vitest";
import { cli, cliConfig } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });
const unique = () => Math.random().toString(36).slice(2, 7);

describeServers("real server: the networks, storage, profile and project flow through the CLI", (env) => {
  const conf = cliConfig(env);
  const lxd = clientFor("unix", { socket: env.socket });
  const id = unique();
  const [bridge, pool, volume, profile, project, instance] = [`lfc${id}`, `lfc-${id}`, `lfcv-${id}`, `lfc-${id}`, `lfc-${id}`, `lfc-${id}`];
  const run = async (args: string[], input?: string) => {
    const r = await cli(args, { env: conf.env, timeoutMs: 120_000, ...(input !== undefined && { input }) });
    return { code: r.code, out: r.stdout.toString("utf8"), err: r.stderr };
  };
  const ok = async (...args: string[]) => {
    const r = await run(args);
    expect([args.join(" "), r.code, r.err]).toEqual([args.join(" "), 0, ""]);
    return r.out;
  };
  afterAll(async () => {
    const conn = lxd.remote("unix");
    const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
    await (await quiet(conn.project(project).instances.delete(instance, { force: true })))?.wait().catch(() => undefined);
    await quiet(conn.projects.delete(project));
    await quiet(conn.profiles.delete(profile));
    await quiet(conn.storageVolumes.snapshots.delete(pool, "custom", volume, "s0").then((op) => op.wait()));
    await quiet(conn.storageVolumes.delete(pool, "custom", volume));
    await quiet(conn.storagePools.delete(pool));
    await quiet(conn.networks.delete(bridge));
    await lxd.close();
    conf.remove();
  });

  it("create, launch with the profile in the project, see NIC and mount, snapshot/restore, list, remove", async () => {
    await ok("network", "create", bridge, "ipv4.address=none", "ipv6.address=none", "--type", "bridge");
    await ok("storage", "create", pool, "dir");
    await ok("storage", "volume", "create", pool, volume);
    await ok("profile", "create", profile);
    const yaml = `description: lxd-fetch CLI flow\nconfig: {}\ndevices:\n  data:\n    type: disk\n    pool: ${pool}\n    source: ${volume}\n    path: /mnt/data\n  eth1:\n    type: nic\n    network: ${bridge}\n    name: eth1\n`;
    const edited = await run(["profile", "edit", profile], yaml);
    expect([edited.code, edited.err]).toEqual([0, ""]);
    expect(await ok("profile", "show", profile)).toMatch(/path: \/mnt\/data/);
    await ok(
      "project",
      "create",
      project,
      "-c",
      "features.images=false",
      "-c",
      "features.profiles=false",
      "-c",
      "features.storage.volumes=false",
    );
    expect((await ok("project", "list", "--format", "csv")).split("\n").some((l) => l.startsWith(`${project},NO,NO,NO,`))).toBe(true);

    const launched = await run(["launch", env.image, instance, "--project", project, "-p", "default", "-p", profile]);
    expect([launched.code, launched.err]).toEqual([0, `Creating ${instance}\nStarting ${instance}\n`]);
    expect((await ok("exec", "--project", project, instance, "-T", "--", "ls", "/sys/class/net")).split(/\s+/)).toContain("eth1");
    expect((await ok("exec", "--project", project, instance, "-T", "--", "grep", "-c", " /mnt/data ", "/proc/mounts")).trim()).toBe("1");
    await ok("exec", "--project", project, instance, "-T", "--", "sh", "-c", "echo one > /mnt/data/f");
    await ok("storage", "volume", "snapshot", pool, volume, "s0");
    await ok("exec", "--project", project, instance, "-T", "--", "sh", "-c", "echo two > /mnt/data/f");
    await ok("stop", instance, "--project", project, "--force");
    await ok("storage", "volume", "restore", pool, volume, "s0");
    await ok("start", instance, "--project", project);
    expect(await ok("exec", "--project", project, instance, "-T", "--", "cat", "/mnt/data/f")).toBe("one\n");

    expect(await ok("network", "list", "--format", "csv")).toMatch(new RegExp(`^${bridge},bridge,YES,`, "m"));
    expect(await ok("storage", "volume", "list", pool, "--format", "csv")).toMatch(new RegExp(`custom,${volume}`));
    expect(JSON.parse(await ok("warning", "list", "--format", "json"))).toEqual(expect.any(Array));
    const metrics = await ok("query", `/1.0/metrics?project=${project}`);
    expect(metrics).toMatch(new RegExp(`_procs_total\\{[^}]*name="${instance}"`));

    await ok("delete", instance, "--project", project, "--force");
    await ok("project", "delete", project);
    await ok("profile", "delete", profile);
    await ok("storage", "volume", "delete", pool, `custom/${volume}/s0`);
    await ok("storage", "volume", "delete", pool, volume);
    await ok("storage", "delete", pool);
    await ok("network", "delete", bridge);
    const again = await run(["network", "delete", bridge]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^lxd-fetch: .*404 .*not found\n$/i);
  });
});
