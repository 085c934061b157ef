// Images on the virtual LXD (upload unified and split, streamed; aliases; export; delete) and on
// MSW handlers for the error paths.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, OperationError, ResponseError } from "../src/index.js";
import { asyncOp, BASE, client, lxdError, op, sync, useMockServer } from "./support/mock.js";
import { readAll, useVirtualLxd } from "./support/virtual.js";

const gz = (s: string) => Uint8Array.from([0x1f, 0x8b, ...new TextEncoder().encode(s)]);
const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      c.close();
    },
  });
async function sha256(...parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
  return Buffer.from(await crypto.subtle.digest("SHA-256", all)).toString("hex");
}

describe("images on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("a unified tarball streamed in chunks: fingerprint, alias, properties, export of the same bytes, delete", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const a = gz("unified-part-1");
    const b = new TextEncoder().encode("-part-2");
    const op = await lxd.images.import("v", streamOf(a, b), { properties: { os: "busybox" }, public: true });
    const fp = (await op.wait()).metadata?.fingerprint;
    expect(fp).toBe(await sha256(a, b));
    await lxd.images.aliases.create("v", "bb", fp!, { description: "d" });
    expect(await lxd.images.get("v", fp!.slice(0, 12))).toMatchObject({
      fingerprint: fp,
      public: true,
      properties: { os: "busybox" },
      aliases: [{ name: "bb" }],
    });
    expect(await lxd.images.list("v")).toEqual([fp]);
    expect(await lxd.images.aliases.list("v", (l) => l.map((x) => x.name))).toEqual(["bb"]);
    const out = await lxd.images.export("v", fp!);
    expect(out).toMatchObject({ type: "unified", contentType: "application/octet-stream", filename: `${fp}.tar.gz` });
    expect(await sha256(await readAll(out.body))).toBe(fp);
    await (await lxd.images.delete("v", fp!)).wait();
    expect(virtual.images.size).toBe(0);
    expect(virtual.imageAliases.size).toBe(0);
  });

  it("a split image is sent as multipart (metadata, rootfs) and comes back split", async () => {
    const { client: lxd } = v.start();
    const meta = gz("meta");
    const rootfs = gz("rootfs");
    const op = await lxd.images.import("v", { metadata: streamOf(meta), rootfs: new Blob([rootfs]) });
    const fp = (await op.wait()).metadata?.fingerprint;
    expect(fp).toBe(await sha256(meta, rootfs));
    const out = await lxd.images.export("v", fp!);
    expect(out.type).toBe("split");
    const form = await new Response(out.body, { headers: { "content-type": out.contentType } }).formData();
    expect(new Uint8Array(await (form.get("rootfs") as Blob).arrayBuffer())).toEqual(rootfs);
  });

  it("what is no tarball fails its operation; a duplicate too", async () => {
    const { client: lxd } = v.start();
    await expect((await lxd.images.import("v", new TextEncoder().encode("text"))).wait()).rejects.toMatchObject({
      name: "OperationError",
      err: "Unsupported compression",
    });
    await (await lxd.images.import("v", gz("x"))).wait();
    await expect((await lxd.images.import("v", gz("x"))).wait()).rejects.toBeInstanceOf(OperationError);
  });
});

describe("images: error paths", () => {
  const server = useMockServer();

  it("the upload carries LXD's headers and the stream as the body", async () => {
    let seen: Record<string, string> = {};
    let body = "";
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 500 })),
      http.post(`${BASE}/1.0/images`, async ({ request }) => {
        seen = Object.fromEntries(request.headers);
        body = await request.text();
        return asyncOp(op());
      }),
    );
    const lxd = client();
    await lxd.images.import(undefined, streamOf(new TextEncoder().encode("abc")), {
      filename: "x.tar.gz",
      properties: { a: "b c" },
      project: "p",
    });
    expect(seen).toMatchObject({
      "content-type": "application/octet-stream",
      "x-lxd-filename": "x.tar.gz",
      "x-lxd-properties": "a=b+c",
      "x-incus-properties": "a=b+c",
    });
    expect(body).toBe("abc");
    await lxd.close();
  });

  it("export: LXD's error envelope is an LxdError, a JSON 200 where bytes were expected a ResponseError", async () => {
    server.use(
      http.get(`${BASE}/1.0/images/:fp/export`, ({ params }) =>
        params.fp === "gone" ? lxdError(404, "Image not found") : sync({ not: "bytes" }),
      ),
    );
    const lxd = client();
    await expect(lxd.images.export(undefined, "gone")).rejects.toMatchObject({
      name: "LxdError",
      status: 404,
      path: "/1.0/images/gone/export",
    });
    await expect(lxd.images.export(undefined, "json")).rejects.toBeInstanceOf(ResponseError);
    await lxd.close();
  });

  it("an upload refused outright (403) is an LxdError", async () => {
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 500 })),
      http.post(`${BASE}/1.0/images`, () => lxdError(403, "not authorized")),
    );
    const lxd = client();
    await expect(lxd.images.import(undefined, new Uint8Array([1]))).rejects.toMatchObject({ name: "LxdError", status: 403 });
    await lxd.close();
  });

  it("bad input is refused before anything is sent", async () => {
    const lxd = client();
    const bad: [string, () => Promise<unknown>][] = [
      ["a string as the tarball", () => lxd.images.import(undefined, "x" as never)],
      ["rootfs missing its bytes", () => lxd.images.import(undefined, { metadata: new Uint8Array(), rootfs: 1 as never })],
      [
        "rootfsName unknown",
        () => lxd.images.import(undefined, { metadata: new Uint8Array(), rootfs: new Uint8Array(), rootfsName: "x" as never }),
      ],
      ["property not a string", () => lxd.images.import(undefined, new Uint8Array(), { properties: { a: 1 as never } })],
      ["filename with a slash", () => lxd.images.import(undefined, new Uint8Array(), { filename: "a/b" })],
      ["fingerprint ..", () => lxd.images.get(undefined, "..")],
      ["alias with NUL", () => lxd.images.aliases.create(undefined, "a\0", "f")],
      ["allProjects with project", () => lxd.images.list(undefined, { allProjects: true, project: "p" })],
    ];
    for (const [what, call] of bad) await expect(call(), what).rejects.toBeInstanceOf(InvalidArgumentError);
    await lxd.close();
  });
});
