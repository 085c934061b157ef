// Custom volume copy and move on the virtual LXD (src/mock/volume-migration.ts, storage.ts):
// within one server between pools, between two virtual servers in pull, push and relay mode,
// LXD 5.0.2's refusals as typed errors, and an aborted copy that leaves nothing on the target.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { crashesTarget } from "../src/capabilities/volume-migration.js";
import { AbortError, LxdError } from "../src/index.js";
import type { VirtualLxd } from "../src/mock/index.js";
import { until, useVirtualLxd } from "./support/virtual.js";

const MODES = ["pull", "push", "relay"] as const;
/** The operation a raw 202 answer names in its Location header. */
const started = (r: { response: Response }) => String(r.response.headers.get("location")?.split("/").pop());
const running = (x: VirtualLxd) => [...x.operations.values()].filter((m) => m.op.status_code < 200).map((m) => m.op.description);

describe("custom volume copy and move on the virtual LXD", () => {
  const v = useVirtualLxd();
  /** Two virtual servers, a client for both, and on `a` the volume v1 (block, with config, a description and a snapshot). */
  const two = async () => {
    const { a, b, lxd } = v.startTwo();
    await lxd.storageVolumes.create("a", "default", "custom", {
      name: "v1",
      config: { "user.k": "v" },
      description: "data",
      content_type: "block",
    });
    await (await lxd.storageVolumes.snapshots.create("a", "default", "custom", "v1", "s1")).wait();
    return { a, b, lxd };
  };

  it("within one server: copies to the same and another pool, moves between pools (the source gone), refuses typed", async () => {
    const { a, lxd } = await two();
    await lxd.storagePools.create("a", { name: "p2", driver: "dir" });
    const vols = lxd.remote("a").storageVolumes;
    await (await vols.copy("default", "custom", "v1", { name: "v2" }))?.wait();
    await (await vols.copy("default", "custom", "v1", { pool: "p2", name: "v3" }, { volumeOnly: true }))?.wait();
    expect(a.storageVolumes("default").get("v2")).toMatchObject({
      config: { "user.k": "v" },
      description: "data",
      content_type: "block",
    });
    expect([...(a.storageVolumes("default").get("v2")?.snapshots.keys() ?? [])]).toEqual(["s1"]);
    expect(a.storageVolumes("p2").get("v3")?.snapshots.size).toBe(0);
    // A config and description in the copy request win over the source's (LXD 5.0.2 takes the source's only when absent).
    const raw = lxd.remote("a").api();
    const own = await raw.POST("/1.0/storage-pools/{poolName}/volumes/{type}", {
      params: { path: { poolName: "default", type: "custom" } },
      body: {
        name: "v4",
        type: "custom",
        config: { "user.own": "1" },
        description: "own",
        source: { type: "copy", pool: "default", name: "v1" },
      },
    });
    expect(own.response.status).toBe(202);
    await lxd.operations.wait("a", started(own));
    expect(a.storageVolumes("default").get("v4")).toMatchObject({
      config: { "user.own": "1" },
      description: "own",
      content_type: "block",
    });

    await (await vols.move("default", "custom", "v2", { pool: "p2" }))?.wait();
    expect(a.storageVolumes("default").has("v2")).toBe(false);
    expect([...(a.storageVolumes("p2").get("v2")?.snapshots.keys() ?? [])]).toEqual(["s1"]);

    const refusals: [() => Promise<unknown>, number, string][] = [
      [() => vols.copy("default", "custom", "v1", { pool: "p2", name: "v2" }), 409, "Volume by that name already exists"],
      [() => vols.copy("default", "custom", "v1", { pool: "nope" }), 404, "Storage pool not found"],
      [() => vols.move("default", "custom", "v1", { pool: "p2", name: "v3" }), 409, "Volume by that name already exists"],
      [() => vols.move("default", "custom", "v1", { pool: "nope" }), 404, "Storage pool not found"],
    ];
    for (const [call, status, lxdMessage] of refusals) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect(err).toMatchObject({ status, lxdMessage });
    }
    expect(a.storageVolumes("default").has("v1")).toBe(true);
  });

  it("copies between servers in pull, push and relay: config, description, content type and snapshots arrive, the source stays", async () => {
    const { a, b, lxd } = await two();
    await lxd.storagePools.create("b", { name: "p2", driver: "dir" });
    for (const mode of MODES) {
      const done = await lxd.storageVolumes.copy("a", "default", "custom", "v1", { remote: "b", name: `v1-${mode}` }, { mode });
      expect(done).toBeUndefined();
      expect(b.storageVolumes("default").get(`v1-${mode}`)).toMatchObject({
        type: "custom",
        config: { "user.k": "v" },
        description: "data",
        content_type: "block",
      });
      expect([...(b.storageVolumes("default").get(`v1-${mode}`)?.snapshots.keys() ?? [])]).toEqual(["s1"]);
    }
    // To another pool of the target, without the snapshots.
    await lxd.storageVolumes.copy("a", "default", "custom", "v1", { remote: "b", pool: "p2" }, { mode: "push", volumeOnly: true });
    expect(b.storageVolumes("p2").get("v1")?.snapshots.size).toBe(0);
    expect([...a.storageVolumes("default").keys()]).toEqual(["v1"]);
    // Relay: the client connected both operations' control and fs sockets.
    expect(a.requests.filter((r) => r.startsWith("WS /1.0/operations"))).toHaveLength(2);
    expect(b.requests.filter((r) => r.startsWith("WS /1.0/operations"))).toHaveLength(2);
    // Every operation ends (a pull's source a moment after the target took the volume).
    await until(() => running(a).length + running(b).length === 0);
  });

  it("moves between servers in pull, push and relay: the volume arrives and the source is deleted", async () => {
    const { a, b, lxd } = await two();
    await lxd.storageVolumes.create("a", "default", "custom", { name: "v2" });
    await lxd.storageVolumes.create("a", "default", "custom", { name: "v3" });
    for (const [mode, name] of [
      ["pull", "v1"],
      ["push", "v2"],
      ["relay", "v3"],
    ] as const) {
      expect(await lxd.storageVolumes.move("a", "default", "custom", name, { remote: "b" }, { mode })).toBeUndefined();
      expect(a.storageVolumes("default").has(name)).toBe(false);
      expect(b.storageVolumes("default").has(name)).toBe(true);
    }
    expect(b.storageVolumes("default").get("v1")?.config).toEqual({ "user.k": "v" });
  });

  it("refuses a taken name (409) and a missing pool (404) on the target in every mode, keeping both volumes; a missing source 404", async () => {
    const { a, b, lxd } = await two();
    await lxd.storageVolumes.create("b", "default", "custom", { name: "v1", config: { "user.theirs": "1" } });
    for (const mode of MODES) {
      const taken = await lxd.storageVolumes.copy("a", "default", "custom", "v1", { remote: "b" }, { mode }).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(LxdError);
      expect(taken).toMatchObject({ status: 409, lxdMessage: "Volume by that name already exists" });
      const noPool = await lxd.storageVolumes
        .copy("a", "default", "custom", "v1", { remote: "b", pool: "nope" }, { mode })
        .catch((e: unknown) => e);
      expect(noPool).toBeInstanceOf(LxdError);
      expect(noPool).toMatchObject({ status: 404, lxdMessage: "Storage pool not found" });
    }
    // The target's own volume is untouched, the source's migrations were cancelled, not left waiting.
    expect(b.storageVolumes("default").get("v1")?.config).toEqual({ "user.theirs": "1" });
    expect([...b.storageVolumes("default").keys()]).toEqual(["v1"]);
    expect(a.storageVolumes("default").has("v1")).toBe(true);
    expect([...running(a), ...running(b)]).toEqual([]);
    await expect(lxd.storageVolumes.copy("a", "default", "custom", "nope", { remote: "b" })).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Storage pool volume not found",
    });
  });

  it("an aborted copy leaves nothing on the target in every mode (aborted once the target's create is sent)", async () => {
    const { a, b, lxd } = await two();
    const creates = () => b.requests.filter((r) => r === "POST /1.0/storage-pools/default/volumes/custom").length;
    for (const mode of MODES) {
      const before = creates();
      const ac = new AbortController();
      // Passes the request on (undefined) after aborting: the target's create is made, then the copy is aborted.
      v.server.use(
        http.post(`${b.baseUrl}/1.0/storage-pools/:pool/volumes/:type`, () => {
          ac.abort();
          return undefined;
        }),
      );
      const err = await lxd.storageVolumes
        .copy("a", "default", "custom", "v1", { remote: "b" }, { mode, signal: ac.signal })
        .catch((e: unknown) => e);
      expect(err, mode).toBeInstanceOf(AbortError);
      expect(creates(), mode).toBe(before + 1);
      expect([...b.storageVolumes("default").keys()], mode).toEqual([]);
      await until(() => running(a).length + running(b).length === 0);
    }
    expect(a.storageVolumes("default").has("v1")).toBe(true);
  });

  it("a hand-made pull migration (what the user's own code sends) and a refresh that brings the source's new snapshot", async () => {
    const { a, b, lxd } = await two();
    const migrate = async (refresh: boolean) => {
      const offered = await lxd
        .remote("a")
        .api()
        .POST("/1.0/storage-pools/{poolName}/volumes/{type}/{volumeName}", {
          params: { path: { poolName: "default", type: "custom", volumeName: "v1" } },
          body: { name: "v1", migration: true },
        });
      const op = offered.data?.metadata;
      expect(op?.class).toBe("websocket");
      const created = await lxd
        .remote("b")
        .api()
        .POST("/1.0/storage-pools/{poolName}/volumes/{type}", {
          params: { path: { poolName: "default", type: "custom" } },
          body: {
            name: "copy",
            type: "custom",
            description: "mine",
            source: {
              type: "migration",
              mode: "pull",
              operation: `${a.baseUrl}/1.0/operations/${op?.id}`,
              secrets: Object.fromEntries(Object.entries(op?.metadata ?? {}).map(([k, x]) => [k, String(x)])),
              refresh,
            },
          },
        });
      expect(created.response.status).toBe(202);
      await lxd.operations.wait("b", started(created));
    };
    await migrate(false);
    // Only what the request names: no config given, none made.
    expect(b.storageVolumes("default").get("copy")).toMatchObject({ config: {}, description: "mine", content_type: "filesystem" });
    await (await lxd.storageVolumes.snapshots.create("a", "default", "custom", "v1", "s2")).wait();
    await migrate(true);
    expect([...(b.storageVolumes("default").get("copy")?.snapshots.keys() ?? [])]).toEqual(["s1", "s2"]);
  });

  it("virtual servers present themselves as LXD 5.0.2: the guard for Incus 6.0.4's crash lets their copies through", async () => {
    const { lxd } = await two();
    const [source, target] = await Promise.all([lxd.server.info("a"), lxd.server.info("b")]);
    expect(target.environment).toMatchObject({ server: "lxd", server_version: "5.0.2" });
    expect(crashesTarget(source, target)).toBe(false);
  });
});
