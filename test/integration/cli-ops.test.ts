// The CLI's warning, config, info, query and cluster commands as a spawned process against each
// real server (remotes `local` and `tls`) and the 3-member cluster. What changes is this suite's
// own (a user.* server key, a cluster group) or put back (a warning's status, an evacuated member).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createLxd } from "../../src/index.js";
import { cli, cliConfig } from "../support/cli.js";
import { clientFor, describeCluster, describeServers } from "./lxd.js";

vi.setConfig({ testTimeout: 120_000 });
const unique = () => Math.random().toString(36).slice(2, 7);

describeServers("real server: CLI warning, config, info, query", (env) => {
  const { env: confEnv, remove } = cliConfig(env);
  const run = (args: string[]) => cli(args, { env: confEnv });
  const lxd = clientFor("unix", { socket: env.socket });
  const key = `user.lxdfetch-ops-cli-${unique()}`;
  const acked = new Map<string, string>();
  afterAll(async () => {
    for (const [uuid, status] of acked) await lxd.warnings.patch(undefined, uuid, { status: status as "new" }).catch(() => undefined);
    if ((await lxd.server.config())[key] !== undefined) await lxd.server.patchConfig(undefined, { [key]: "" });
    await lxd.close();
    remove();
  });

  describe.each(["local", "tls"])("remote %s", (remote) => {
    it("warning list/show/ack/delete", async () => {
      const all = await lxd.warnings.list(undefined, { recursion: true });
      const listed = await run(["warning", "list", `${remote}:`, "--format", "json"]);
      expect(listed.code).toBe(0);
      const shown = JSON.parse(listed.stdout.toString()) as { uuid: string }[];
      expect(shown.map((w) => w.uuid).sort()).toEqual(
        all
          .filter((w) => w.status !== "resolved")
          .map((w) => w.uuid)
          .sort(),
      );
      const withAll = JSON.parse(
        (await run(["warning", "list", `${remote}:`, "--all", "--format", "json"])).stdout.toString(),
      ) as unknown[];
      expect(withAll).toHaveLength(all.length);
      const table = (await run(["warning", "list", `${remote}:`])).stdout.toString();
      expect(table).toContain("UUID");
      const w = all.find((x) => x.status === "new")!;
      const show = await run(["warning", "show", `${remote}:${w.uuid}`]);
      expect(show.stdout.toString()).toContain(`uuid: ${w.uuid}`);
      acked.set(w.uuid!, "new");
      expect((await run(["warning", "ack", `${remote}:${w.uuid}`])).code).toBe(0);
      expect((await lxd.warnings.get(undefined, w.uuid!)).status).toBe("acknowledged");
      await lxd.warnings.patch(undefined, w.uuid!, { status: "new" });
      acked.delete(w.uuid!);
      const gone = await run(["warning", "delete", `${remote}:00000000-0000-4000-8000-00000000ffff`]);
      expect({ code: gone.code, err: gone.stderr.trim() }).toMatchObject({ code: 1, err: expect.stringMatching(/404 Warning not found$/) });
    });

    it("config show/set/get/unset of the server, back to what it was", async () => {
      const before = await lxd.server.config();
      const show = await run(["config", "show", `${remote}:`, "--format", "json"]);
      expect(JSON.parse(show.stdout.toString())).toEqual({ config: before });
      expect((await run(["config", "set", `${remote}:`, `${key}=one two`])).code).toBe(0);
      expect((await run(["config", "get", `${remote}:`, key])).stdout.toString()).toBe("one two\n");
      expect((await run(["config", "set", `${remote}:`, key, "three"])).code).toBe(0);
      expect((await lxd.server.config())[key]).toBe("three");
      expect((await run(["config", "unset", `${remote}:`, key])).code).toBe(0);
      expect(await lxd.server.config()).toEqual(before);
      expect((await run(["config", "get", `${remote}:`])).code).toBe(2);
    });

    it("info and info --resources", async () => {
      const info = JSON.parse((await run(["info", `${remote}:`, "--format", "json"])).stdout.toString()) as { api_extensions: string[] };
      expect(info.api_extensions).toContain("warnings");
      const res = JSON.parse((await run(["info", `${remote}:`, "--resources", "--format", "json"])).stdout.toString()) as {
        cpu: { architecture: string };
      };
      expect(res.cpu.architecture).toBe("x86_64");
    });

    it("query: GET with a query string, a PATCH with -d, an async answer with --wait, and an error", async () => {
      const list = await run(["query", `${remote}:/1.0/instances?recursion=1`]);
      expect((JSON.parse(list.stdout.toString()) as { name: string }[]).map((i) => i.name)).toContain(env.container);
      const patch = await run(["query", `${remote}:/1.0`, "-X", "PATCH", "-d", JSON.stringify({ config: { [key]: "q" } })]);
      expect(patch.code).toBe(0);
      expect((await lxd.server.config())[key]).toBe("q");
      await run(["query", `${remote}:/1.0`, "-X", "PATCH", "-d", JSON.stringify({ config: { [key]: "" } })]);
      expect((await lxd.server.config())[key]).toBeUndefined();
      const exec = await run([
        "query",
        `${remote}:/1.0/instances/${env.container}/exec`,
        "-X",
        "POST",
        "-d",
        JSON.stringify({ command: ["true"], "wait-for-websocket": false, interactive: false }),
        "--wait",
      ]);
      expect(JSON.parse(exec.stdout.toString())).toMatchObject({ return: 0 });
      const missing = await run(["query", `${remote}:/1.0/instances/ops-no-such-instance`]);
      expect({ code: missing.code, err: missing.stderr.trim() }).toEqual({ code: 1, err: expect.stringMatching(/not found/i) });
      expect((await run(["query", `${remote}:/1.0`, "-d", "{not json"])).code).toBe(2);
    });
  });
});

describeCluster("CLI cluster commands", (env) => {
  const dir = mkdtempSync(join(tmpdir(), "lxd-fetch-ops-cluster-"));
  mkdirSync(join(dir, "servercerts"));
  writeFileSync(join(dir, "client.crt"), env.clientCert);
  writeFileSync(join(dir, "client.key"), env.clientKey);
  writeFileSync(join(dir, "servercerts", "c.crt"), env.serverCert);
  writeFileSync(
    join(dir, "config.yml"),
    `default-remote: c\nremotes:\n  c:\n    addr: ${env.members[0]!.url}\n    auth_type: tls\n    protocol: lxd\n    public: false\naliases: {}\n`,
  );
  const run = (args: string[]) => cli(args, { env: { LXD_CONF: dir, INCUS_CONF: undefined }, timeoutMs: 120_000 });
  const lxd = createLxd({
    remotes: { c: { url: env.members[0]!.url, ca: env.serverCert, cert: env.clientCert, key: env.clientKey } },
    defaultRemote: "c",
  });
  const group = `ops-cli-${unique()}`;
  const m2 = env.members[1]!.name;
  const m3 = env.members[2]!.name;
  afterAll(async () => {
    if ((await lxd.cluster.member(undefined, m3)).status === "Evacuated") await (await lxd.cluster.restore(undefined, m3)).wait();
    const { groups = [] } = await lxd.cluster.member(undefined, m2);
    if (groups.includes(group))
      await lxd.cluster.setMemberGroups(
        undefined,
        m2,
        groups.filter((g) => g !== group),
      );
    await lxd.cluster.groups.delete(undefined, group).catch(() => undefined);
    await lxd.close();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it("cluster list and show", async () => {
    const list = JSON.parse((await run(["cluster", "list", "--format", "json"])).stdout.toString()) as { server_name: string }[];
    expect(list.map((m) => m.server_name)).toEqual(env.members.map((m) => m.name));
    const table = (await run(["cluster", "list"])).stdout.toString();
    expect(table).toMatch(/ONLINE/);
    expect((await run(["cluster", "show", `c:${m2}`])).stdout.toString()).toContain(`server_name: ${m2}`);
  });

  it("cluster group create, assign, show, assign back, delete", async () => {
    const before = (await lxd.cluster.member(undefined, m2)).groups ?? [];
    expect((await run(["cluster", "group", "create", `c:${group}`])).code).toBe(0);
    expect((await run(["cluster", "group", "assign", `c:${m2}`, [...before, group].join(",")])).code).toBe(0);
    expect((await run(["cluster", "group", "show", `c:${group}`])).stdout.toString()).toContain(`- ${m2}`);
    const groups = JSON.parse((await run(["cluster", "group", "list", "--format", "json"])).stdout.toString()) as { name: string }[];
    expect(groups.map((g) => g.name)).toContain(group);
    expect((await run(["cluster", "group", "assign", `c:${m2}`, before.join(",")])).code).toBe(0);
    expect((await lxd.cluster.member(undefined, m2)).groups).toEqual(before);
    expect((await run(["cluster", "group", "delete", `c:${group}`])).code).toBe(0);
    expect(await lxd.cluster.groups.list()).not.toContain(group);
  });

  it("cluster evacuate wants --force; evacuate and restore move the member's instances and back", async () => {
    const refused = await run(["cluster", "evacuate", `c:${m3}`]);
    expect({ code: refused.code, err: refused.stderr.trim() }).toEqual({ code: 2, err: expect.stringContaining("add --force") });
    const where = async () =>
      (await lxd.instances.list(undefined, { recursion: 1 })).map((i) => `${i.name} ${i.location} ${i.status}`).sort();
    const before = await where();
    expect((await run(["cluster", "evacuate", `c:${m3}`, "--force"])).code).toBe(0);
    expect((await lxd.cluster.member(undefined, m3)).status).toBe("Evacuated");
    expect((await where()).filter((s) => s.split(" ")[1] === m3)).toEqual([]);
    expect((await run(["cluster", "restore", `c:${m3}`, "--force"])).code).toBe(0);
    expect((await lxd.cluster.member(undefined, m3)).status).toBe("Online");
    expect(await where()).toEqual(before);
  });
});
