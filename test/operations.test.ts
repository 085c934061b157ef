// list / info / delete against MSW: query forms, the recursion map, ids and path encoding.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, OperationGoneError, UnsupportedError } from "../src/index.js";
import { BASE, client, lxdError, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();

/** Records every request URL that reaches the mock server. */
function recordRequests(): URL[] {
  const seen: URL[] = [];
  server.events.on("request:start", ({ request }) => void seen.push(new URL(request.url)));
  return seen;
}

describe("list", () => {
  it("returns LXD's map of status → operation URLs", async () => {
    const running = op();
    const map = { running: [`/1.0/operations/${running.id}`], success: [`/1.0/operations/${op().id}`] };
    server.use(http.get(`${BASE}/1.0/operations`, () => sync(map)));
    await expect(client().operations.list("test")).resolves.toEqual(map);
  });

  it("recursion: the same map with Operation objects, in one request", async () => {
    const seen = recordRequests();
    const a = op();
    const b = op({ status: "Success", status_code: 200 });
    server.use(
      http.get(`${BASE}/1.0/operations`, ({ request }) =>
        new URL(request.url).searchParams.get("recursion") === "1" ? sync({ running: [a], success: [b] }) : lxdError(400, "want recursion"),
      ),
    );
    const ops = await client().operations.list("test", { recursion: true });
    expect(ops.running?.[0]?.id).toBe(a.id);
    expect(ops.success?.[0]?.status_code).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.search).toBe("?recursion=1");
  });

  it("project and allProjects become LXD's query parameters, encoded", async () => {
    const seen = recordRequests();
    server.use(
      http.get(`${BASE}/1.0`, () => sync({ api_extensions: ["operations_get_query_all_projects"], environment: { server: "incus" } })),
      http.get(`${BASE}/1.0/operations`, () => sync({})),
    );
    await client().operations.list("test", { project: "team a&b" });
    await client().operations.list("test", { allProjects: true, recursion: true });
    expect(seen.map((u) => `${u.pathname}${u.search}`)).toEqual([
      "/1.0/operations?project=team%20a%26b",
      "/1.0",
      "/1.0/operations?recursion=1&all-projects=true",
    ]);
  });

  it("allProjects on a server without operations_get_query_all_projects (LXD 5.0.2) is UnsupportedError, not a partial list", async () => {
    const seen = recordRequests();
    server.use(
      http.get(`${BASE}/1.0`, () =>
        sync({ api_extensions: ["operation_websocket"], environment: { server: "lxd", server_version: "5.0.2" } }),
      ),
    );
    const err = await client()
      .operations.list("test", { allProjects: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err).toMatchObject({ extension: "operations_get_query_all_projects", remote: "test" });
    expect((err as Error).message).toMatch(/\(lxd 5\.0\.2\) does not have/);
    expect(seen.map((u) => u.pathname)).toEqual(["/1.0"]);
  });

  it("project with allProjects is refused before sending (LXD answers 400)", async () => {
    const seen = recordRequests();
    await expect(client().operations.list("test", { project: "p", allProjects: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(seen).toHaveLength(0);
  });

  it("an unknown remote is refused before sending", async () => {
    const seen = recordRequests();
    await expect(client().operations.list("nope")).rejects.toThrow(/unknown remote "nope" \(configured: local, test\)/);
    expect(seen).toHaveLength(0);
  });
});

describe("info", () => {
  it("accepts the id or the URL list() returns", async () => {
    const o = op();
    server.use(http.get(`${BASE}/1.0/operations/:id`, ({ params }) => (params.id === o.id ? sync(o) : lxdError(404, "not found"))));
    await expect(client().operations.info("test", o.id)).resolves.toEqual(o);
    await expect(client().operations.info("test", `/1.0/operations/${o.id}`)).resolves.toEqual(o);
    await expect(client().operations.info("test", `/1.0/operations/${o.id}?project=p`)).resolves.toEqual(o);
  });

  it.each([["../../1.0/instances"], ["a b"], [""], ["6916c8a6-9b7d-4abd-90b3-aedfec7ec7d"], ["6916c8a6-9b7d-4abd-90b3-aedfec7ec7da/wait"]])(
    "refuses the malformed id %j and sends nothing",
    async (bad) => {
      const seen = recordRequests();
      await expect(client().operations.info("test", bad)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client().operations.wait("test", bad)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client().operations.delete("test", bad)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(seen).toHaveLength(0);
    },
  );

  it("a non-string id is refused too", async () => {
    await expect(client().operations.info("test", 42 as unknown as string)).rejects.toThrow(/invalid operation id number/);
  });

  it("404 becomes OperationGoneError, still an LxdError with status 404", async () => {
    server.use(http.get(`${BASE}/1.0/operations/:id`, () => lxdError(404, "Operation not found")));
    const err = await client()
      .operations.info("test", op().id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationGoneError);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 404, lxdMessage: "Operation not found" });
  });
});

describe("delete (cancel)", () => {
  it("sends DELETE and resolves when LXD accepts", async () => {
    const o = op({ class: "token", may_cancel: true });
    let deleted = "";
    server.use(http.delete(`${BASE}/1.0/operations/:id`, ({ params }) => ((deleted = String(params.id)), sync({}))));
    await expect(client().operations.delete("test", o.id)).resolves.toBeUndefined();
    expect(deleted).toBe(o.id);
    await expect(client().operations.cancel("test", o.id)).resolves.toBeUndefined();
  });

  it("an operation that cannot be cancelled gives a clear LxdError", async () => {
    const id = op().id;
    server.use(http.delete(`${BASE}/1.0/operations/:id`, () => lxdError(400, "This operation can't be cancelled")));
    const err = await client()
      .operations.delete("test", id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 400, lxdMessage: "This operation can't be cancelled" });
    expect((err as Error).message).toBe(`cannot cancel operation ${id} on "test": This operation can't be cancelled`);
  });

  it("a finished-and-forgotten operation is OperationGoneError", async () => {
    server.use(http.delete(`${BASE}/1.0/operations/:id`, () => lxdError(404, "not found")));
    await expect(client().operations.delete("test", op().id)).rejects.toBeInstanceOf(OperationGoneError);
  });
});

describe("path encoding", () => {
  it("the helpers encode path parameters (instance names)", async () => {
    const seen = recordRequests();
    server.use(http.get(`${BASE}/1.0/instances/:name/state`, () => sync({ status: "Running" })));
    await client().instances.state("test", "a b%c?d#e", { project: "p q" });
    expect(seen[0]?.pathname).toBe("/1.0/instances/a%20b%25c%3Fd%23e/state");
    expect(seen[0]?.search).toBe("?project=p%20q");
  });

  it("the typed api() client encodes path parameters", async () => {
    const seen = recordRequests();
    server.use(http.get(`${BASE}/1.0/instances/:name`, () => sync({ name: "x" })));
    await client()
      .api("test")
      .GET("/1.0/instances/{name}", { params: { path: { name: "a b/c?d#e" } } });
    expect(seen[0]?.pathname).toBe("/1.0/instances/a%20b%2Fc%3Fd%23e");
  });
});
