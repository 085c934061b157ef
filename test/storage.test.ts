// Storage on the virtual LXD (src/mock/storage.ts) through the library: pools, volumes, copies and
// moves, snapshots and restores, with the status codes, messages and sync-or-operation answers
// LXD 5.0.2 gives (test/integration/storage.test.ts shows them on the real servers).
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, UnsupportedError } from "../src/index.js";
import { until, useVirtualLxd } from "./support/virtual.js";

describe("storage on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("pools: create, list, get, patch, update, resources, delete; the default pool is there", async () => {
    const { client } = v.start();
    const pools = client.remote("v").storagePools;
    expect(await pools.list()).toEqual(["default"]);
    expect(await pools.create({ name: "p1", driver: "dir", description: "d" })).toBeUndefined();
    expect(await pools.list()).toEqual(["default", "p1"]);
    const p1 = await pools.get("p1");
    expect(p1).toMatchObject({
      name: "p1",
      driver: "dir",
      description: "d",
      status: "Created",
      config: { source: "/var/lib/lxd/storage-pools/p1" },
    });
    await pools.patch("p1", { description: "patched" });
    expect(await pools.get("p1", (p) => p.description)).toBe("patched");
    await pools.update("p1", { config: p1.config ?? {}, description: "put" });
    expect(await pools.list({ recursion: true }, (l) => l.map((p) => p.description))).toEqual(["", "put"]);
    const res = await pools.resources("p1");
    expect(res.space?.total).toBeGreaterThan(0);
    expect(await pools.delete("p1")).toBeUndefined();
    expect(await pools.list()).toEqual(["default"]);
  });

  it("volumes: create, list every way, patch, update, rename, copy and move as operations, state", async () => {
    const { client, lxd: virtual } = v.start();
    const conn = client.remote("v");
    await conn.storagePools.create({ name: "b", driver: "dir" });
    const vols = conn.storageVolumes;
    expect(await vols.create("default", "custom", { name: "v1", config: { "user.k": "1" } })).toBeUndefined();
    expect(await vols.list("default", { type: "custom" })).toEqual(["v1"]);
    expect(await vols.list("default")).toEqual(["custom/v1"]);
    expect(await vols.list("default", { allProjects: true, recursion: true }, (l) => l.map((x) => `${x.project} ${x.name}`))).toEqual([
      "default v1",
    ]);
    await vols.patch("default", "custom", "v1", { config: { "user.p": "2" } });
    expect((await vols.get("default", "custom", "v1")).config).toEqual({ "user.k": "1", "user.p": "2" });
    await vols.update("default", "custom", "v1", { config: { "user.only": "3" }, description: "put" });
    expect(await vols.get("default", "custom", "v1", (x) => [x.config, x.description, x.content_type])).toEqual([
      { "user.only": "3" },
      "put",
      "filesystem",
    ]);
    // As on LXD 5.0.2: a rename is done at once, a copy and a move to another pool are operations.
    expect(await vols.rename("default", "custom", "v1", "v2")).toBeUndefined();
    const copy = await vols.copy("default", "custom", "v2", { pool: "b", name: "c" });
    expect(copy).toBeDefined();
    await copy?.wait();
    const move = await vols.move("default", "custom", "v2", { pool: "b" });
    expect(move).toBeDefined();
    await move?.wait();
    expect(await vols.list("default")).toEqual([]);
    expect(await vols.list("b")).toEqual(["custom/c", "custom/v2"]);
    expect([...virtual.storageVolumes("b").keys()].sort()).toEqual(["c", "v2"]);
    await expect(vols.state("b", "custom", "c")).rejects.toMatchObject({ status: 500, lxdMessage: "Not supported" });
    // A copy of a volume that is not there: the operation fails with LXD's message.
    const missing = await vols.copy("b", "custom", "nope", { name: "x" });
    await expect(missing?.wait()).rejects.toThrow(/Storage volume "nope" in project "default" of type "custom" does not exist on pool "b"/);
  });

  it("snapshots: create, list beside the volume, update, rename, restore (refused under a running instance), delete", async () => {
    const { client, lxd: virtual } = v.start();
    const conn = client.remote("v");
    const vols = conn.storageVolumes;
    await vols.create("default", "custom", { name: "v1", description: "vol" });
    await (await vols.snapshots.create("default", "custom", "v1", "s0")).wait();
    expect(await vols.snapshots.list("default", "custom", "v1")).toEqual(["s0"]);
    expect(await vols.list("default")).toEqual(["custom/v1", "custom/v1/s0"]);
    // A filter selects as LXD's does: the volume and its snapshots each by their listed name.
    expect(await vols.list("default", { filter: "name eq v1" })).toEqual(["custom/v1"]);
    expect(await vols.list("default", { filter: "name eq v1/s0" })).toEqual(["custom/v1/s0"]);
    // The snapshot took the volume's description; update gives it its own.
    expect((await vols.snapshots.get("default", "custom", "v1", "s0")).description).toBe("vol");
    await vols.snapshots.update("default", "custom", "v1", "s0", { description: "own" });
    expect((await vols.snapshots.get("default", "custom", "v1", "s0")).description).toBe("own");
    await (await vols.snapshots.rename("default", "custom", "v1", "s0", "s1")).wait();
    expect(await vols.snapshots.list("default", "custom", "v1")).toEqual(["s1"]);

    await conn.profiles.create({ name: "data", devices: { data: { type: "disk", pool: "default", source: "v1", path: "/mnt/data" } } });
    expect((await vols.get("default", "custom", "v1")).used_by).toEqual(["/1.0/profiles/data"]);
    virtual.instances.get("c1")!.profiles.push("data");
    await expect(vols.snapshots.restore("default", "custom", "v1", "s1")).rejects.toMatchObject({
      status: 500,
      lxdMessage: "Cannot restore custom volume used by running instances",
    });
    await (await conn.instances.setState("c1", { action: "stop" })).wait();
    expect(await vols.snapshots.restore("default", "custom", "v1", "s1")).toBeUndefined();
    await expect(vols.snapshots.restore("default", "custom", "v1", "nope")).rejects.toMatchObject({
      status: 500,
      lxdMessage: "Snapshot not found",
    });
    await (await vols.snapshots.delete("default", "custom", "v1", "s1")).wait();
    expect(await vols.snapshots.list("default", "custom", "v1")).toEqual([]);
  });

  it("LXD's refusals, typed, and the client's before sending", async () => {
    const { client } = v.start();
    const conn = client.remote("v");
    const vols = conn.storageVolumes;
    await vols.create("default", "custom", { name: "v1" });
    // The pool route has no POST: LXD's 501, seen through the untyped api() (the description has no such call).
    const raw = conn.api() as unknown as { POST(p: string, i: object): Promise<{ error?: unknown }> };
    const rename = () => raw.POST("/1.0/storage-pools/{poolName}", { params: { path: { poolName: "default" } }, body: { name: "x" } });
    expect((await rename()).error).toMatchObject({ error_code: 501, error: "not implemented" });
    const refusals: [() => Promise<unknown>, number, string][] = [
      [() => vols.get("nope", "custom", "v1"), 404, "Storage pool not found"],
      [() => vols.list("nope"), 404, "Storage pool not found"],
      [() => vols.create("nope", "custom", { name: "x" }), 404, "Storage pool not found"],
      [() => vols.get("default", "custom", "nope"), 404, "Storage pool volume not found"],
      [() => vols.create("default", "custom", { name: "v1" }), 409, "Volume by that name already exists"],
      [
        () => vols.create("default", "container", { name: "c" }),
        400,
        'Currently not allowed to create storage volumes of type "container"',
      ],
      [
        () => vols.create("default", "custom", { name: "k", config: { foo: "1" } }),
        500,
        'Invalid option for volume "default_k" option "foo"',
      ],
      [() => vols.snapshots.create("default", "custom", "nope", "s"), 404, "Storage pool volume not found"],
      [
        () => conn.storagePools.create({ name: "default", driver: "dir" }),
        409,
        "The storage pool already exists: The record already exists",
      ],
      [() => conn.storagePools.get("nope"), 404, "Storage pool not found"],
      [() => conn.storagePools.delete("default"), 400, "The storage pool is currently in use"],
    ];
    for (const [call, status, message] of refusals) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LxdError);
      expect([(e as LxdError).status, (e as LxdError).lxdMessage]).toEqual([status, message]);
    }
    await expect(conn.storagePools.create({ name: "p", driver: "ext9" })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(vols.get("default", "block" as never, "v1")).rejects.toThrow(/unknown volume type "block"/);
    await expect(vols.get("a/b", "custom", "v1")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(vols.listAll()).rejects.toBeInstanceOf(UnsupportedError);
    await expect(conn.storageBuckets.list("default")).rejects.toMatchObject({ name: "UnsupportedError", extension: "storage_buckets" });
  });

  it("watch(): pools, a pool's volumes and a volume's snapshots equal a fresh list after each change", async () => {
    const { client } = v.start();
    const conn = client.remote("v");
    const vols = conn.storageVolumes;
    const seen = { pools: [] as string[][], volumes: [] as string[][], snapshots: [] as string[][] };
    const follow = async (key: keyof typeof seen, watch: AsyncIterable<{ name?: string }[]>) => {
      for await (const list of watch) seen[key].push(list.map((x) => x.name ?? "").sort());
    };
    const watches = [conn.storagePools.watch(), vols.watch("default", "custom"), vols.snapshots.watch("default", "custom", "v1")];
    const running = [follow("pools", watches[0]!), follow("volumes", watches[1]!), follow("snapshots", watches[2]!)];
    const sees = (key: keyof typeof seen, list: string[]) => until(() => JSON.stringify(seen[key].at(-1)) === JSON.stringify(list));
    await sees("pools", ["default"]);
    await conn.storagePools.create({ name: "p2", driver: "dir" });
    await sees("pools", ["default", "p2"]);
    await vols.create("default", "custom", { name: "v1" });
    await sees("volumes", ["v1"]);
    await (await vols.snapshots.create("default", "custom", "v1", "s0")).wait();
    await sees("snapshots", ["s0"]);
    // LXD lists a volume's snapshots beside it: the volumes' watch follows them too.
    await sees("volumes", ["v1", "v1/s0"]);
    expect(seen.volumes.at(-1)).toEqual((await vols.list("default", { type: "custom", recursion: true })).map((x) => x.name).sort());
    await (await vols.snapshots.rename("default", "custom", "v1", "s0", "s1")).wait();
    await sees("snapshots", ["s1"]);
    await vols.rename("default", "custom", "v1", "v2");
    await sees("volumes", ["v2", "v2/s1"]);
    await (await vols.snapshots.delete("default", "custom", "v2", "s1")).wait();
    await vols.delete("default", "custom", "v2");
    await sees("volumes", []);
    await conn.storagePools.delete("p2");
    await sees("pools", ["default"]);
    for (const w of watches) w.close();
    await Promise.all(running);
    expect(() => vols.watch("default", "block" as never)).toThrow(/unknown volume type "block"/);
  });
});
