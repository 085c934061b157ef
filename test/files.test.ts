// Files against the virtual LXD (its in-memory filesystem) and, for each error path, MSW answers
// shaped as LXD 5.0.2's.
import { createHash } from "node:crypto";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { ConnectionError, FileInputError, FileTypeError, InvalidArgumentError, LxdError, ResponseError } from "../src/index.js";
import { BASE, client, lxdError, sync } from "./support/mock.js";
import { readAll, text, useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();
const FILES = `${BASE}/1.0/instances/c1/files`;

describe("files on the virtual LXD", () => {
  it("push then pull round-trips bytes with mode, uid and gid", async () => {
    const { client } = v.start();
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256);
    await client.files.push(undefined, "c1", "/root/f.bin", data, { mode: 0o640, uid: 1000, gid: 100 });
    const f = await client.files.pull(undefined, "c1", "/root/f.bin");
    expect({ type: f.type, mode: f.mode, uid: f.uid, gid: f.gid, size: f.size }).toEqual({
      type: "file",
      mode: 0o640,
      uid: 1000,
      gid: 100,
      size: data.byteLength,
    });
    expect(await readAll(f.stream)).toEqual(data);
  });

  it("pushes a stream as it comes (sha256 equal after the pull)", async () => {
    const { client } = v.start();
    const chunks = Array.from({ length: 20 }, (_, i) => Uint8Array.from({ length: 65_536 }, (_, j) => (i + j) % 251));
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => (n < chunks.length ? c.enqueue(chunks[n++]!) : c.close()) });
    await client.files.push(undefined, "c1", "/tmp/s", stream);
    const want = createHash("sha256");
    for (const c of chunks) want.update(c);
    const got = createHash("sha256").update(await readAll((await client.files.pull(undefined, "c1", "/tmp/s")).stream));
    expect(got.digest("hex")).toBe(want.digest("hex"));
  });

  it("appends, and keeps the mode of an existing file (LXD applies it only on creation)", async () => {
    const { client } = v.start();
    await client.files.push(undefined, "c1", "/root/a", "one\n", { mode: 0o600 });
    await client.files.push(undefined, "c1", "/root/a", "two\n", { write: "append", mode: 0o777 });
    const f = await client.files.pull(undefined, "c1", "/root/a");
    expect(text(await readAll(f.stream))).toBe("one\ntwo\n");
    expect(f.mode).toBe(0o600);
  });

  it("mkdir, list, stat, symlink and delete", async () => {
    const { client } = v.start();
    await client.files.mkdir(undefined, "c1", "/root/d", { mode: 0o700 });
    await client.files.push(undefined, "c1", "/root/d/x", new Blob(["x"]));
    await client.files.symlink(undefined, "c1", "/root/d/l", "x");
    expect((await client.files.list(undefined, "c1", "/root/d")).sort()).toEqual(["l", "x"]);
    expect(await client.files.stat(undefined, "c1", "/root/d")).toMatchObject({ type: "directory", mode: 0o700, uid: 0, gid: 0 });
    const link = await client.files.pull(undefined, "c1", "/root/d/l");
    expect(link.type).toBe("symlink");
    expect(text(await readAll(link.stream))).toBe("/root/d/x");
    const dir = await client.files.pull(undefined, "c1", "/root/d");
    expect(dir.type).toBe("directory");
    expect(dir.entries?.sort()).toEqual(["l", "x"]);
    await client.files.delete(undefined, "c1", "/root/d/l");
    await client.files.delete(undefined, "c1", "/root/d/x");
    await client.files.delete(undefined, "c1", "/root/d");
    await expect(client.files.stat(undefined, "c1", "/root/d")).rejects.toMatchObject({ name: "LxdError", status: 404 });
  });

  it("a missing file is a 404 LxdError; listing a file is a FileTypeError", async () => {
    const { client } = v.start();
    await expect(client.files.pull(undefined, "c1", "/root/none")).rejects.toMatchObject({ status: 404, lxdMessage: "Not Found" });
    await client.files.push(undefined, "c1", "/root/f", "x");
    await expect(client.files.list(undefined, "c1", "/root/f")).rejects.toBeInstanceOf(FileTypeError);
    await expect(client.files.push(undefined, "nope", "/root/f", "x")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Instance not found",
    });
  });

  it("bad input is refused before anything is sent", async () => {
    const { client, lxd } = v.start();
    const calls: [string, () => Promise<unknown>][] = [
      ["..", () => client.files.pull(undefined, "c1", "/root/../etc/shadow")],
      ["NUL", () => client.files.push(undefined, "c1", "/root/a\0b", "x")],
      ["empty", () => client.files.stat(undefined, "c1", "")],
      ["instance", () => client.files.list(undefined, "c/1", "/")],
      ["mode", () => client.files.push(undefined, "c1", "/root/a", "x", { mode: 0o10000 })],
      ["uid", () => client.files.push(undefined, "c1", "/root/a", "x", { uid: -1 })],
      ["write", () => client.files.push(undefined, "c1", "/root/a", "x", { write: "truncate" as "append" })],
      ["data", () => client.files.push(undefined, "c1", "/root/a", 42 as unknown as string)],
      ["target", () => client.files.symlink(undefined, "c1", "/root/l", "a\0")],
    ];
    for (const [what, call] of calls) await expect(call(), what).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(lxd.requests).toEqual([]);
  });

  it("encodes the path in the query", async () => {
    const { client, lxd } = v.start();
    await client.files.push(undefined, "c1", "/root/a b&c=d?#", "x");
    expect(lxd.requests.at(-1)).toBe("POST /1.0/instances/c1/files?path=%2Froot%2Fa%20b%26c%3Dd%3F%23");
    expect(lxd.filesystems.get("c1").has("/root/a b&c=d?#")).toBe(true);
  });
});

describe("files error paths", () => {
  const server = v.server;

  it("a push whose input fails midway is a FileInputError with the input's error", async () => {
    server.use(http.post(FILES, async ({ request }) => (await request.arrayBuffer(), sync({}))));
    const boom = new Error("disk read failed");
    let sent = false;
    const input = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent) return c.error(boom);
        sent = true;
        c.enqueue(new Uint8Array(1000));
      },
    });
    const err = await client()
      .files.push(undefined, "c1", "/root/x", input)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileInputError);
    expect((err as FileInputError).cause).toBe(boom);
    expect((err as FileInputError).bytes).toBe(1000);
  });

  it("LXD's error envelope on push is an LxdError; HTML from a proxy is a ResponseError", async () => {
    server.use(http.post(FILES, () => lxdError(403, "not authorized")));
    await expect(client().files.push(undefined, "c1", "/root/x", "x")).rejects.toMatchObject({ name: "LxdError", status: 403 });
    server.use(
      http.get(FILES, () => new HttpResponse("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } })),
    );
    await expect(client().files.pull(undefined, "c1", "/root/x")).rejects.toBeInstanceOf(ResponseError);
  });

  it("a pull cut short is a ConnectionError from the stream", async () => {
    server.use(
      http.get(FILES, () => {
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array(10));
            c.error(new TypeError("terminated"));
          },
        });
        return new HttpResponse(body, { headers: { "X-LXD-type": "file", "X-LXD-mode": "0644", "X-LXD-uid": "0", "X-LXD-gid": "0" } });
      }),
    );
    const f = await client().files.pull(undefined, "c1", "/root/x");
    await expect(readAll(f.stream)).rejects.toBeInstanceOf(ConnectionError);
  });

  it("a 404 on HEAD (no body) is an LxdError with the status", async () => {
    server.use(http.head(FILES, () => new HttpResponse(null, { status: 404 })));
    const err = await client()
      .files.stat(undefined, "c1", "/root/x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect((err as LxdError).status).toBe(404);
  });

  it("sends the headers LXD reads: type, write, octal mode, uid, gid", async () => {
    let seen: Record<string, string> = {};
    server.use(
      http.post(FILES, ({ request }) => {
        seen = Object.fromEntries([...request.headers].filter(([k]) => k.startsWith("x-lxd-") || k.startsWith("x-incus-")));
        return sync({});
      }),
    );
    await client().files.push(undefined, "c1", "/root/x", "x", { mode: 0o755, uid: 7, gid: 8, write: "append" });
    const want = { type: "file", write: "append", mode: "0755", uid: "7", gid: "8" };
    // Both servers' names: LXD reads X-LXD-*, Incus X-Incus-*.
    expect(seen).toEqual(
      Object.fromEntries(
        Object.entries(want).flatMap(([k, v]) => [
          [`x-lxd-${k}`, v],
          [`x-incus-${k}`, v],
        ]),
      ),
    );
  });
});
