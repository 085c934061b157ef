// `storage` and `storage volume` through the spawned CLI against each real server, over its
// remotes `local` (unix socket) and `tls` (HTTPS), with that server's own CLI config: lxc's
// verbs, its list formats, its usage errors, and everything made here removed again.
import { afterAll, describe, expect, it, vi } from "vitest";
import { cli, cliConfig } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

// Each test spawns the CLI many times: the limit only guards against a hang on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const unique = () => Math.random().toString(36).slice(2, 8);

describeServers("real server: CLI storage", (env) => {
  const { env: confEnv, remove } = cliConfig(env);
  const run = async (args: string[], input?: string) => {
    const r = await cli(args, { env: confEnv, ...(input !== undefined && { input }), timeoutMs: 60_000 });
    return { code: r.code, out: r.stdout.toString(), err: r.stderr };
  };
  const lxd = clientFor("unix", { socket: env.socket });
  const made: string[] = [];
  afterAll(async () => {
    for (const pool of made) {
      for (const v of await lxd.storageVolumes.list(undefined, pool, { type: "custom" }).catch(() => [] as string[])) {
        if (v.includes("/")) continue;
        for (const s of await lxd.storageVolumes.snapshots.list(undefined, pool, "custom", v).catch(() => [] as string[]))
          await (await lxd.storageVolumes.snapshots.delete(undefined, pool, "custom", v, s).catch(() => undefined))
            ?.wait()
            .catch(() => undefined);
        await lxd.storageVolumes.delete(undefined, pool, "custom", v).catch(() => undefined);
      }
      await lxd.storagePools.delete(undefined, pool).catch(() => undefined);
    }
    await lxd.close();
    remove();
  });

  describe.each(["local", "tls"])("remote %s", (remote) => {
    it("storage create/list/show/get/set/unset/info/delete, and a volume's whole life", async () => {
      const id = `${remote}-${unique()}`;
      const [a, b] = [`storage-cli-a-${id}`, `storage-cli-b-${id}`];
      made.push(a, b);
      expect(await run(["storage", "create", `${remote}:${a}`, "dir", "user.cli=1"])).toEqual({ code: 0, out: "", err: "" });
      expect((await run(["storage", "create", `${remote}:${b}`, "dir"])).code).toBe(0);
      const csv = await run(["storage", "list", `${remote}:`, "--format", "csv"]);
      expect(csv.out).toMatch(new RegExp(`^${a},dir,[^,]*/storage-pools/${a},,0,CREATED$`, "m"));
      expect((await run(["storage", "get", `${remote}:${a}`, "user.cli"])).out).toBe("1\n");
      expect((await run(["storage", "set", `${remote}:${a}`, "user.cli", "2"])).code).toBe(0);
      expect((await run(["storage", "show", `${remote}:${a}`])).out).toMatch(/^ {2}user\.cli: "2"$/m);
      expect((await run(["storage", "unset", `${remote}:${a}`, "user.cli"])).code).toBe(0);
      expect((await run(["storage", "get", `${remote}:${a}`, "user.cli"])).out).toBe("");
      const info = await run(["storage", "info", `${remote}:${a}`]);
      expect(info.out).toMatch(/^ {2}driver: dir$/m);
      expect(info.out).toMatch(/^ {2}total space: [\d.]+[KMGTP]iB$/m);
      const renamed = await run(["storage", "rename", `${remote}:${a}`, "x"]);
      expect([renamed.code, renamed.err]).toEqual([2, "lxd-fetch: storage pools cannot be renamed (LXD has no pool rename)\n"]);

      const vol = (...w: string[]) => run(["storage", "volume", ...w]);
      expect((await vol("create", `${remote}:${a}`, "v1", "user.x=1")).code).toBe(0);
      expect((await vol("set", `${remote}:${a}`, "v1", "user.x=2")).code).toBe(0);
      expect((await vol("get", `${remote}:${a}`, "v1", "user.x")).out).toBe("2\n");
      expect((await vol("snapshot", `${remote}:${a}`, "v1")).code).toBe(0);
      expect((await vol("snapshot", `${remote}:${a}`, "v1", "named")).code).toBe(0);
      expect((await vol("list", `${remote}:${a}`, "--format", "csv")).out).toBe(
        "custom,v1,,filesystem,0\ncustom (snapshot),v1/named,,filesystem,0\ncustom (snapshot),v1/snap0,,filesystem,0\n",
      );
      expect((await vol("show", `${remote}:${a}`, "v1/snap0")).out).toMatch(/^name: snap0$/m);
      expect((await vol("set", `${remote}:${a}`, "v1", "user.x=3")).code).toBe(0);
      // A restore is of the data: the volume's config stays as it is now (3), not the snapshot's (2).
      expect((await vol("restore", `${remote}:${a}`, "v1", "snap0")).code).toBe(0);
      expect((await vol("get", `${remote}:${a}`, "v1", "user.x")).out).toBe("3\n");
      expect((await vol("rename", `${remote}:${a}`, "v1/named", "v1/kept")).code).toBe(0);
      expect((await vol("delete", `${remote}:${a}`, "v1/snap0")).code).toBe(0);
      expect((await vol("rename", `${remote}:${a}`, "v1", "v2")).code).toBe(0);
      expect((await vol("copy", `${remote}:${a}/v2`, `${remote}:${b}/v3`, "--volume-only")).code).toBe(0);
      expect((await vol("move", `${remote}:${a}/v2`, `${remote}:${b}/v2`)).code).toBe(0);
      expect((await vol("list", `${remote}:${b}`, "--format", "csv")).out).toBe(
        "custom,v2,,filesystem,0\ncustom,v3,,filesystem,0\ncustom (snapshot),v2/kept,,filesystem,0\n",
      );
      expect((await vol("list", `${remote}:${a}`, "--format", "json")).out).toBe("[]\n");

      // Usage and the server's own refusals: one line, exit 2 and 1.
      expect(await vol("create", `${remote}:${a}`)).toEqual({
        code: 2,
        out: "",
        err: expect.stringMatching(/^lxd-fetch: storage volume create /),
      });
      const inUse = await run(["storage", "delete", `${remote}:${b}`]);
      expect([inUse.code, inUse.err.split("\n").length]).toEqual([1, 2]);
      expect(inUse.err).toMatch(/in use/i);
      const driver = await run(["storage", "create", `${remote}:storage-cli-x`, "ext9"]);
      expect([driver.code, driver.err]).toEqual([1, expect.stringMatching(/unknown storage driver "ext9"/)]);

      for (const [p, v] of [
        [b, "v2/kept"],
        [b, "v2"],
        [b, "v3"],
      ])
        expect((await vol("delete", `${remote}:${p}`, v!)).code).toBe(0);
      expect((await run(["storage", "delete", `${remote}:${a}`, `${remote}:${b}`])).code).toBe(0);
      expect((await run(["storage", "list", `${remote}:`, "--format", "csv"])).out).not.toMatch(new RegExp(`^(${a}|${b}),`, "m"));
    });
  });
});
