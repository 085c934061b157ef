// Backups and image copy between two virtual LXDs in one test (no servers): a backup of an
// instance with a file, exported from one and imported into the other, the file equal there;
// an image copied direct (the target pulls it through the source's secret), pushed (the source
// uploads it with the target's token secret) and relayed, aliases carried; and the refusals made
// before anything is sent.
import { afterEach, describe, expect, it } from "vitest";
import { createLxd, InvalidArgumentError, type Lxd, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { useVirtualLxd } from "./support/virtual.js";

const gz = (s: string) => Uint8Array.from([0x1f, 0x8b, ...new TextEncoder().encode(s)]);

describe("backups and image copy between two virtual LXDs", () => {
  const v = useVirtualLxd();
  let lxd: Lxd | undefined;
  afterEach(() => lxd?.close());

  const two = (b: { apiExtensions?: string[] } = {}) => {
    const a = v.start({ baseUrl: "https://lxd-a.test:8443" }).lxd;
    const bb = v.start({ baseUrl: "https://lxd-b.test:8443", instances: [], ...b }).lxd;
    lxd = createLxd({ remotes: { a: { url: a.baseUrl }, b: { url: bb.baseUrl } }, WebSocket: globalThis.WebSocket });
    return { a, b: bb, lxd };
  };

  it("backup on a, export streamed into an import on b: the instance and its file arrive", async () => {
    const { a, b, lxd } = two();
    await lxd.files.push("a", "c1", "/root/blob", new TextEncoder().encode("random bytes"));
    await (await lxd.backups.create("a", "c1", "b1", { instanceOnly: true, expiresAt: "2099-01-01T00:00:00Z" })).wait();
    expect(await lxd.backups.list("a", "c1")).toEqual(["b1"]);
    expect(await lxd.backups.get("a", "c1", "b1")).toMatchObject({ name: "b1", instance_only: true, expires_at: "2099-01-01T00:00:00Z" });
    await (await lxd.backups.rename("a", "c1", "b1", "b2"))?.wait();
    expect(await lxd.backups.list("a", "c1")).toEqual(["b2"]);

    const out = await lxd.backups.export("a", "c1", "b2");
    expect(out.contentType).toBe("application/octet-stream");
    await (await lxd.backups.import("b", out.body, { name: "c1-copy" })).wait();
    expect(await lxd.instances.list("b")).toEqual(["c1-copy"]);
    expect(b.filesystems.get("c1-copy").get("/root/blob")?.data).toEqual(a.filesystems.get("c1").get("/root/blob")?.data);
    await expect(lxd.backups.import("b", gz("x").subarray(2))).rejects.toMatchObject({ status: 400 });

    await (await lxd.backups.delete("a", "c1", "b2"))?.wait();
    expect(await lxd.backups.list("a", "c1")).toEqual([]);
  });

  it("refuses bad input unsent, and a server without container_backup with UnsupportedError", async () => {
    const { a, lxd } = two({ apiExtensions: LXD_5_0_2_EXTENSIONS.filter((e) => e !== "container_backup") });
    const sent = a.requests.length;
    await expect(lxd.backups.create("a", "c1", "x/y")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.backups.create("a", "c1", "b", { instanceOnly: "yes" as unknown as boolean })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(lxd.backups.import("a", "not bytes" as unknown as Uint8Array)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(a.requests.length).toBe(sent);
    await expect(lxd.backups.list("b", "c1")).rejects.toMatchObject({ name: "UnsupportedError", extension: "container_backup" });
    await expect(lxd.backups.import("b", gz("{}"))).rejects.toBeInstanceOf(UnsupportedError);
  });

  it("image copy: direct (b pulls a private image with a's secret) and relayed, aliases carried", async () => {
    const { a, b, lxd } = two();
    const op = await lxd.images.import("a", gz("unified image"));
    const fingerprint = (await op.wait()).metadata!.fingerprint!;
    await lxd.images.aliases.create("a", "img", fingerprint);

    const direct = await lxd.images.copy("a", "img", "b", { aliases: ["img2"], autoUpdate: true });
    expect(direct).toEqual({ fingerprint, mode: "direct", aliases: ["img", "img2"] });
    expect(await lxd.images.get("b", fingerprint)).toMatchObject({ public: false, auto_update: true });
    expect([...b.imageAliases.keys()].sort()).toEqual(["img", "img2"]);
    // The secret's token operation is cancelled once the copy is over, and never logged.
    expect([...a.operations.values()].filter((m) => m.op.class === "token" && m.op.status_code === 103)).toEqual([]);
    expect(b.requests.concat(a.requests).some((r) => /secret=(?!\[redacted\])/.test(r))).toBe(false);

    await (await lxd.images.delete("b", fingerprint)).wait();
    const relayed = await lxd.images.copy("a", fingerprint, "b", { mode: "relay", public: true });
    expect(relayed).toEqual({ fingerprint, mode: "relay", aliases: ["img"] });
    expect(await lxd.images.get("b", fingerprint)).toMatchObject({ public: true, aliases: [{ name: "img" }] });

    await expect(lxd.images.copy("a", "img", "a")).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(lxd.images.copy("a", "img", "b", { mode: "sideways" as "direct" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("image copy in push mode: a uploads to b with b's token secret; aliases and public as asked; the token ended", async () => {
    const { a, b, lxd } = two();
    const fingerprint = (await (await lxd.images.import("a", gz("pushed image"))).wait()).metadata!.fingerprint!;
    await lxd.images.aliases.create("a", "img", fingerprint);
    const pushed = await lxd.images.copy("a", "img", "b", { mode: "push", aliases: ["img2"], public: true });
    expect(pushed).toEqual({ fingerprint, mode: "push", aliases: ["img", "img2"] });
    expect(await lxd.images.get("b", fingerprint)).toMatchObject({ public: true });
    expect([...b.imageAliases.keys()].sort()).toEqual(["img", "img2"]);
    expect([...b.operations.values()].filter((m) => m.op.class === "token" && m.op.status_code === 103)).toEqual([]);
    expect(a.requests.concat(b.requests).some((r) => /[0-9a-f]{32}/.test(r.replace(fingerprint, "")))).toBe(false);
    // Pushed again: b has it, so a's export fails with b's words, typed.
    await expect(lxd.images.copy("a", "img", "b", { mode: "push", copyAliases: false })).rejects.toMatchObject({
      name: "OperationError",
      err: "Image with same fingerprint already exists",
    });
    await expect(lxd.images.copy("a", "img", "b", { mode: "push", autoUpdate: true })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
