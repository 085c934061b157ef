// Writes that LXD 6.8+ and newer Incus answer with an operation (the server's config, a cluster
// member) and LXD 5.0.2 and Incus 6.0.4 answer at once: undefined when done at once, the
// LxdOperation otherwise, and with `wait: true` the helper waits for it. The virtual LXD answers
// either way (`asyncWrites`); the real servers here answer at once (test/integration/server-config.test.ts).
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, LxdOperation } from "../src/index.js";
import { useVirtualLxd } from "./support/virtual.js";

describe("server config and member writes, at once or as an operation", () => {
  const v = useVirtualLxd();

  it("at once (LXD 5.0.2's answer): undefined, the config changed; an unknown key is LXD's 400", async () => {
    const { client, lxd: virtual } = v.start();
    expect(await client.server.patchConfig(undefined, { "user.gaps18": "a" })).toBeUndefined();
    expect(await client.server.config()).toEqual({ "user.gaps18": "a" });
    expect(await client.server.updateConfig(undefined, { "user.other": "b" }, { wait: true })).toBeUndefined();
    expect(virtual.serverConfig).toEqual({ "user.other": "b" });
    await expect(client.server.patchConfig(undefined, { "gaps18.bogus": "1" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/400 cannot set 'gaps18\.bogus' to '1': unknown key$/),
    });
    await expect(client.server.patchConfig(undefined, {}, { wait: "yes" as unknown as boolean })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it("as an operation (LXD 6.8+): the LxdOperation to wait on; with wait: true the helper waits", async () => {
    const { client, lxd: virtual } = v.start({ asyncWrites: true });
    const op = await client.server.patchConfig(undefined, { "user.gaps18": "a" });
    expect(op).toBeInstanceOf(LxdOperation);
    expect((await op!.wait()).status).toBe("Success");
    expect(virtual.serverConfig).toEqual({ "user.gaps18": "a" });

    expect(await client.server.updateConfig(undefined, { "user.b": "2" }, { wait: true })).toBeUndefined();
    // Waited: the change is there when the call resolves, and `info` was asked again.
    expect(virtual.serverConfig).toEqual({ "user.b": "2" });
    expect((await client.server.info()).config).toEqual({ "user.b": "2" });
    // Refused before any operation starts.
    await expect(client.server.patchConfig(undefined, { "gaps18.bogus": "1" }, { wait: true })).rejects.toBeInstanceOf(LxdError);
  });

  it("cluster member writes: undefined at once, the operation otherwise, waited with wait: true", async () => {
    const { client, lxd: virtual } = v.start({ asyncWrites: true });
    const member = `${virtual.baseUrl}/1.0/cluster/members/m1`;
    // The virtual LXD is not clustered: a member write here is answered as the server's own
    // config write is (sync, or the operation it runs), which is all the helper reads.
    let answer: "sync" | "async" = "sync";
    const relay = async ({ request }: { request: Request }) => {
      if (answer === "sync") return Response.json({ type: "sync", status: "Success", status_code: 200, metadata: {} });
      return fetch(`${virtual.baseUrl}/1.0`, {
        method: "PATCH",
        body: JSON.stringify({ config: { "user.member": String(await request.text()).length.toString() } }),
      });
    };
    v.server.use(http.put(member, relay), http.patch(member, relay));

    expect(await client.cluster.patchMember(undefined, "m1", { description: "d" })).toBeUndefined();
    answer = "async";
    const op = await client.cluster.updateMember(undefined, "m1", {
      description: "d",
      config: {},
      failure_domain: "default",
      roles: [],
      groups: ["default"],
    });
    expect(op).toBeInstanceOf(LxdOperation);
    await op!.wait();
    expect(virtual.serverConfig["user.member"]).toBeDefined();
    delete virtual.serverConfig["user.member"];
    expect(await client.cluster.patchMember(undefined, "m1", { description: "e" }, { wait: true })).toBeUndefined();
    expect(virtual.serverConfig["user.member"]).toBeDefined();
  });
});
