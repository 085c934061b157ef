// The transports never follow a redirect (LXD sends none): following would carry the client's
// identity to another host, and fetch keeps a copy of a streamed body for it (a tee that held a
// whole 512 MiB upload in memory; bench/files.mjs measures the upload's memory).
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConnectionError, createLxd, nodeTransport } from "../src/index.js";

const socket = join(mkdtempSync(join(tmpdir(), "lxd-fetch-redirect-")), "s");
const seen: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => {
      res.statusCode = 307;
      res.setHeader("location", "/elsewhere");
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it("a redirect answer is an error, for a plain request and for a streamed body, and the new location is never asked", async () => {
  seen.length = 0;
  const t = nodeTransport("t", { socket });
  await expect(t.fetch("http://unix/1.0")).rejects.toThrow();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(1024));
      c.close();
    },
  });
  await expect(
    t.fetch("http://unix/1.0/instances/c1/files?path=/f", { method: "POST", body, duplex: "half" } as RequestInit),
  ).rejects.toThrow();
  expect(seen).toEqual(["GET /1.0", "POST /1.0/instances/c1/files?path=/f"]);
  await t.close();
});

it("through the client, a redirect is a ConnectionError naming the request", async () => {
  const lxd = createLxd({ remotes: { r: { socket } }, defaultRemote: "r" });
  const err = await lxd.server.info().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConnectionError);
  expect(err).toMatchObject({ method: "GET", path: "/1.0", remote: "r" });
  await lxd.close();
});
