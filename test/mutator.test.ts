// The optional last-argument mutator of every call.
import { http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { LxdError } from "../src/index.js";
import { BASE, client, lxdError, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();

describe("mutator", () => {
  it("list: resolves to the mutator's result", async () => {
    const a = op();
    server.use(http.get(`${BASE}/1.0/operations`, () => sync({ running: [a], success: [op()] })));
    const rows = await client().operations.list("test", { recursion: true }, (ops) =>
      Object.entries(ops).flatMap(([status, list]) => (list ?? []).map((o) => `${status}:${o.id}`)),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe(`running:${a.id}`);
  });

  it("list: the mutator may come right after the remote, and may be async", async () => {
    server.use(http.get(`${BASE}/1.0/operations`, () => sync({ running: ["/1.0/operations/a", "/1.0/operations/b"] })));
    const count = await client().operations.list("test", async (ops) => ops.running?.length ?? 0);
    expect(count).toBe(2);
  });

  it("info and wait: the mutator receives the Operation", async () => {
    const o = op({ status: "Success", status_code: 200 });
    server.use(
      http.get(`${BASE}/1.0/operations/:id`, () => sync(o)),
      http.get(`${BASE}/1.0/operations/:id/wait`, () => sync(o)),
    );
    await expect(client().operations.info("test", o.id, (x) => x.status)).resolves.toBe("Success");
    await expect(client().operations.wait("test", o.id, { timeout: 1000 }, (x) => x.id)).resolves.toBe(o.id);
    await expect(client().operations.wait("test", o.id, async (x) => x.status_code)).resolves.toBe(200);
  });

  it("delete: the mutator runs after a successful cancel", async () => {
    server.use(http.delete(`${BASE}/1.0/operations/:id`, () => sync({})));
    await expect(client().operations.delete("test", op().id, () => "cancelled")).resolves.toBe("cancelled");
  });

  it("is not called when the call fails, and its own error propagates", async () => {
    const mutator = vi.fn(() => 1);
    server.use(http.get(`${BASE}/1.0/operations`, () => lxdError(500, "boom")));
    await expect(client().operations.list("test", mutator)).rejects.toBeInstanceOf(LxdError);
    expect(mutator).not.toHaveBeenCalled();

    server.use(http.get(`${BASE}/1.0/operations`, () => sync({})));
    await expect(
      client().operations.list("test", () => {
        throw new Error("mutator failed");
      }),
    ).rejects.toThrow("mutator failed");
  });
});
