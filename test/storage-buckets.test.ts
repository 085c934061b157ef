// Storage buckets on the virtual LXD (src/mock/storage-buckets.ts), with Incus 6.0.4's answers
// (test/integration/storage.test.ts proves them on the real servers): a `dir` pool refuses a bucket
// (500, MinIO missing) and keeps nothing; a missing pool or bucket is the server's 404; buckets a
// test seeds are listed, read, changed and deleted. Without `storage_buckets` (LXD 5.0.2's
// extensions) the client refuses before sending.
import { describe, expect, it } from "vitest";
import { LxdError, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { useVirtualLxd } from "./support/virtual.js";

const INCUS_LIKE = [...LXD_5_0_2_EXTENSIONS, "storage_buckets", "storage_buckets_local"];

describe("storage buckets (virtual LXD)", () => {
  const v = useVirtualLxd();

  it("a dir pool refuses a bucket as Incus does, leaving nothing; a bad name and a missing pool too", async () => {
    const { client } = v.start({ apiExtensions: INCUS_LIKE });
    await client.storagePools.create(undefined, { name: "p1", driver: "dir" });
    await expect(client.storageBuckets.create(undefined, "p1", { name: "gaps18b" })).rejects.toMatchObject({
      constructor: LxdError,
      status: 500,
      lxdMessage: "Failed creating storage bucket: Failed connecting to bucket: Couldn't find the MinIO client tool",
    });
    expect(await client.storageBuckets.list(undefined, "p1")).toEqual([]);
    await expect(client.storageBuckets.create(undefined, "p1", { name: "AB" })).rejects.toMatchObject({
      status: 500,
      lxdMessage: expect.stringMatching(/^Failed creating storage bucket: Bucket name must be between 3 and 63/),
    });
    await expect(client.storageBuckets.list(undefined, "nopool")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Failed loading storage pool: Storage pool not found",
    });
    await expect(client.storageBuckets.get(undefined, "p1", "nob")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Storage bucket not found",
    });
    await expect(client.storageBuckets.update(undefined, "p1", "nob", {})).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Failed updating storage bucket: Storage bucket not found",
    });
    await expect(client.storageBuckets.delete(undefined, "p1", "nob")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Failed deleting storage bucket: Storage bucket not found",
    });
    await expect(client.storageBuckets.keys.list(undefined, "p1", "nob")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Failed loading storage bucket: Storage bucket not found",
    });
  });

  it("seeded buckets: list (names, objects), get, patch, delete", async () => {
    const { client, lxd: virtual } = v.start({ apiExtensions: INCUS_LIKE });
    await client.storagePools.create(undefined, { name: "p1", driver: "dir" });
    virtual.storageBuckets("p1").set("b1", { name: "b1", description: "", config: {} });
    expect(await client.storageBuckets.list(undefined, "p1")).toEqual(["b1"]);
    await client.storageBuckets.patch(undefined, "p1", "b1", { config: { size: "1GiB" }, description: "d" });
    expect(await client.storageBuckets.get(undefined, "p1", "b1")).toEqual({
      name: "b1",
      description: "d",
      config: { size: "1GiB" },
      s3_url: "",
      location: "none",
    });
    expect(await client.storageBuckets.keys.list(undefined, "p1", "b1")).toEqual([]);
    await client.storageBuckets.delete(undefined, "p1", "b1");
    expect(await client.storageBuckets.list(undefined, "p1", { recursion: true })).toEqual([]);
  });

  it("LXD 5.0.2's extensions: UnsupportedError naming storage_buckets, nothing sent", async () => {
    const { client, lxd: virtual } = v.start();
    await expect(client.storageBuckets.list(undefined, "default")).rejects.toMatchObject({
      constructor: UnsupportedError,
      extension: "storage_buckets",
    });
    expect(virtual.requests.filter((r) => r.includes("buckets"))).toEqual([]);
  });
});
