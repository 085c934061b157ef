// The server's configuration and resources on the real servers. The only key changed is a
// `user.` key of this suite's own (both servers keep user keys in their server config), set and
// unset again so that the configuration is exactly what it was (checked, and again in afterAll).
// An unknown key's refusal is asked of LXD only: Incus 6.0.4, refusing one, was seen to drop its
// member-level keys (core.https_address) from its database while its listener stayed up.
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, type Lxd, UnsupportedError } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

describeServers("real server: server config and resources", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    const key = `user.lxdfetch-ops-${name}-${Math.random().toString(36).slice(2, 7)}`;
    afterAll(async () => {
      if ((await lxd.server.config().catch((): Record<string, string> => ({})))[key] !== undefined)
        await lxd.server.patchConfig(undefined, { [key]: "" }).catch(() => undefined);
      await lxd.close();
    });

    it("config() is GET /1.0's config, core.https_address included", async () => {
      const config = await lxd.server.config();
      expect(config["core.https_address"]).toBe(new URL(env.httpsUrl).host);
      expect(config).toEqual((await lxd.server.info(undefined, { refresh: true })).config);
    });

    it("patchConfig sets a user key and unsets it with an empty string; the config is as before", async () => {
      const before = await lxd.server.config();
      await lxd.server.patchConfig(undefined, { [key]: "patched" });
      expect((await lxd.server.config())[key]).toBe("patched");
      // info() is asked again after a write, so what it keeps is the new config.
      expect((await lxd.server.info()).config?.[key]).toBe("patched");
      await lxd.server.patchConfig(undefined, { [key]: "" });
      expect(await lxd.server.config()).toEqual(before);
    });

    it("updateConfig (PUT) sets what it is given; a user key it leaves out stays (both servers) until set empty", async () => {
      const before = await lxd.server.config();
      await lxd.server.updateConfig(undefined, { ...before, [key]: "put" });
      expect(await lxd.server.config()).toEqual({ ...before, [key]: "put" });
      // Both servers replace only the keys of their schema on PUT: a user key survives it.
      await lxd.server.updateConfig(undefined, before);
      expect(await lxd.server.config()).toEqual({ ...before, [key]: "put" });
      await lxd.server.updateConfig(undefined, { ...before, [key]: "" });
      expect(await lxd.server.config()).toEqual(before);
    });

    it("refuses a config that is not a map of strings before sending", async () => {
      await expect(lxd.server.patchConfig(undefined, { [key]: 1 as unknown as string })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.server.updateConfig(undefined, null as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(lxd.server.config(undefined, { target: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    if (env.server === "lxd")
      it("an unknown key is LXD's 400, typed, and changes nothing", async () => {
        const before = await lxd.server.config();
        const err = await lxd.server.patchConfig(undefined, { "core.lxdfetch_ops": "x" }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LxdError);
        expect(err).toMatchObject({ status: 400, lxdMessage: "cannot set 'core.lxdfetch_ops' to 'x': unknown key" });
        expect(await lxd.server.config()).toEqual(before);
      });

    it("resources() is the host's hardware", async () => {
      const r = await lxd.server.resources();
      expect(r.cpu?.architecture).toBe("x86_64");
      expect(r.cpu?.total).toBeGreaterThan(0);
      expect(r.memory?.total).toBeGreaterThan(1024 ** 3);
    });

    it("require() passes for extensions the server has and names the first it lacks", async () => {
      await expect(lxd.server.require(undefined, ["warnings", "metrics", "resources"])).resolves.toBeUndefined();
      const err = await lxd.server.require(undefined, ["warnings", "lxdfetch_no_such_extension"]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedError);
      expect(err).toMatchObject({ extension: "lxdfetch_no_such_extension", remote: name });
      await expect(lxd.server.require(undefined, [])).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });
});
