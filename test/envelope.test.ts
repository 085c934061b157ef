// Each envelope form, read by the one envelope parser.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { LxdError } from "../src/index.js";
import { BASE, asyncOp, client, envelope, lxdError, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();

describe("envelope", () => {
  it("sync: resolves with the metadata", async () => {
    const o = op({ status: "Success", status_code: 200 });
    server.use(http.get(`${BASE}/1.0/operations/:id`, () => sync(o)));
    await expect(client().operations.info(undefined, o.id)).resolves.toEqual(o);
  });

  it("sync: discriminates on type, not on key presence (every key is always present)", async () => {
    // Every key is in every envelope, and a leftover error or error_code must not turn a sync
    // answer into an error, nor metadata an error answer into a result: only `type` decides.
    const metadata = { running: ["/1.0/operations/x"] };
    const leftover = { error: "stale message", error_code: 500, metadata };
    server.use(http.get(`${BASE}/1.0/operations`, () => Response.json(envelope("sync", leftover))));
    await expect(client().operations.list()).resolves.toEqual(metadata);
    server.use(http.get(`${BASE}/1.0/operations`, () => Response.json(envelope("error", { ...leftover, error: "gone" }), { status: 404 })));
    await expect(client().operations.list()).rejects.toMatchObject({ name: "LxdError", lxdMessage: "gone" });
  });

  it("error: becomes LxdError with status, error_code, LXD's message, method and path", async () => {
    const id = op().id;
    server.use(http.get(`${BASE}/1.0/operations/:id`, () => lxdError(403, "not authorized")));
    const err = await client()
      .operations.info("test", id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({
      status: 403,
      errorCode: 403,
      lxdMessage: "not authorized",
      method: "GET",
      path: `/1.0/operations/${id}`,
      remote: "test",
    });
    expect((err as Error).message).toBe(`GET /1.0/operations/${id} on "test": 403 not authorized`);
  });

  it("async: an answer that starts an operation is not mistaken for sync metadata", async () => {
    // list() expects sync; an async answer is a protocol surprise, reported as such.
    server.use(http.get(`${BASE}/1.0/operations`, () => asyncOp(op())));
    await expect(client().operations.list()).rejects.toMatchObject({
      name: "ResponseError",
      status: 202,
      message: /unexpected async answer/,
    });
  });

  it("sync: an answer where an operation was expected is a ResponseError", async () => {
    server.use(http.put(`${BASE}/1.0/instances/:name/state`, () => sync({})));
    await expect(client().instances.setState(undefined, "c1", { action: "stop" })).rejects.toMatchObject({
      name: "ResponseError",
      status: 200,
      message: /sync answer where an operation was expected/,
    });
  });

  it("async: an envelope without an operation is a ResponseError", async () => {
    server.use(http.get(`${BASE}/1.0/operations`, () => Response.json(envelope("async", { metadata: null }), { status: 202 })));
    await expect(client().operations.list()).rejects.toMatchObject({ name: "ResponseError", status: 202 });
  });

  it("an unknown envelope type is a ResponseError", async () => {
    server.use(http.get(`${BASE}/1.0/operations`, () => Response.json({ type: "weird", metadata: {} })));
    await expect(client().operations.list()).rejects.toThrow(/unknown envelope type "weird"/);
  });

  it("an empty operations list ({} or null) is an empty map", async () => {
    server.use(http.get(`${BASE}/1.0/operations`, () => sync(null)));
    await expect(client().operations.list()).resolves.toEqual({});
  });
});
