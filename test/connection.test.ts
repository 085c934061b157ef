// A connection is a value with a scope: project and target applied in the request pipeline, a
// call's own option winning and `allProjects` dropping the project; every capability of the
// registry on it; the user's hooks on every request, whatever its kind.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createLxd, InvalidArgumentError } from "../src/index.js";
import { CAPABILITIES } from "../src/connection/registry.js";
import { asyncOp, BASE, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();
const lxd = (options: Parameters<typeof createLxd>[0] = {}) =>
  createLxd({ remotes: { test: { url: BASE } }, defaultRemote: "test", ...options });
const ALL = { api_extensions: ["operations_get_query_all_projects", "instance_all_projects"], environment: { server: "incus" } };

/** Every request's method, path and query, in order. */
function record(): string[] {
  const seen: string[] = [];
  server.events.on("request:start", ({ request }) => {
    const u = new URL(request.url);
    seen.push(`${request.method} ${u.pathname}${u.search}`);
  });
  return seen;
}

describe("connection scope", () => {
  it("allProjects on a project-scoped connection lists every project (the scope's project dropped)", async () => {
    const seen = record();
    server.use(
      http.get(`${BASE}/1.0`, () => sync(ALL)),
      http.get(`${BASE}/1.0/operations`, () => sync({ running: ["/1.0/operations/a"] })),
      http.get(`${BASE}/1.0/instances`, () => sync(["/1.0/instances/c1?project=p2"])),
    );
    const client = lxd();
    const p1 = client.remote("test").project("p1");
    await expect(p1.operations.list({ allProjects: true })).resolves.toEqual({ running: ["/1.0/operations/a"] });
    await expect(p1.instances.list({ allProjects: true })).resolves.toEqual(["c1"]);
    await p1.instances.list();
    expect(seen.filter((s) => s !== "GET /1.0")).toEqual([
      "GET /1.0/operations?all-projects=true",
      "GET /1.0/instances?all-projects=true",
      "GET /1.0/instances?project=p1",
    ]);
    await client.close();
  });

  it("target(member) places instances.create on that member without a per-call option; the call's own target wins", async () => {
    const seen = record();
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 400 })),
      http.post(`${BASE}/1.0/instances`, () => asyncOp(op({ status: "Success", status_code: 200 }))),
    );
    const client = lxd({ eventsLinger: 0 });
    const m2 = client.remote().target("m2");
    expect(m2.targetName).toBe("m2");
    await m2.instances.create("c1", "busybox");
    await m2.instances.create("c2", "busybox", { target: "m3" });
    expect(seen.filter((s) => s.startsWith("POST"))).toEqual(["POST /1.0/instances?target=m2", "POST /1.0/instances?target=m3"]);
    await client.close();
  });

  it("api() is typed for any path and carries the connection's scope", async () => {
    const seen = record();
    server.use(http.get(`${BASE}/1.0/instances`, () => sync(["/1.0/instances/c1"])));
    const client = lxd();
    const { data } = await client.remote().project("p1").target("m1").api().GET("/1.0/instances", {});
    expect(data?.metadata).toEqual(["/1.0/instances/c1"]);
    const own = await client
      .remote()
      .project("p1")
      .api()
      .GET("/1.0/instances", { params: { query: { project: "p9" } } });
    expect(own.response.status).toBe(200);
    expect(seen).toEqual(["GET /1.0/instances?project=p1&target=m1", "GET /1.0/instances?project=p9"]);
    await client.close();
  });

  it("every capability of the registry is on a connection, bound to its scope; events follow the project", async () => {
    const client = lxd();
    const conn = client.remote().project("p1");
    for (const key of Object.keys(CAPABILITIES)) expect(conn[key as keyof typeof CAPABILITIES], key).toBeDefined();
    expect(typeof conn.cluster.members).toBe("function");
    expect(typeof conn.console.log).toBe("function");
    expect(typeof conn.instances.snapshots.create).toBe("function");
    expect(typeof conn.images.aliases.list).toBe("function");
    // The flat form takes the connection's scope in place of a remote's name.
    const seen = record();
    server.use(http.get(`${BASE}/1.0/instances`, () => sync([])));
    await client.instances.list(conn.scope);
    expect(seen).toEqual(["GET /1.0/instances?project=p1"]);
    await client.close();
  });

  it("server.supports keeps its options on a connection; bad scopes are refused before sending", async () => {
    server.use(http.get(`${BASE}/1.0`, () => sync(ALL)));
    const client = lxd();
    const ac = new AbortController();
    await expect(client.remote().project("p").server.supports("instance_all_projects", { signal: ac.signal })).resolves.toBe(true);
    await expect(client.remote().server.supports("x", { signal: "no" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => client.remote().target("a/b")).toThrow(InvalidArgumentError);
    expect(() => client.remote().project("")).toThrow(InvalidArgumentError);
    await client.close();
  });
});

describe("hooks", () => {
  it("beforeRequest's header reaches envelopes, raw bodies, downloads and api(); afterResponse sees each answer", async () => {
    const auth: string[] = [];
    const statuses: number[] = [];
    const note = ({ request }: { request: Request }) => auth.push(`${new URL(request.url).pathname} ${request.headers.get("x-trace")}`);
    server.use(
      http.get(`${BASE}/1.0/operations`, (r) => (note(r), sync({}))),
      http.get(`${BASE}/1.0/instances/c1/files`, (r) => {
        note(r);
        return new HttpResponse("x", { headers: { "X-LXD-type": "file", "X-LXD-mode": "0644", "X-LXD-uid": "0", "X-LXD-gid": "0" } });
      }),
      http.get(
        `${BASE}/1.0/images/abc/export`,
        (r) => (note(r), new HttpResponse("tar", { headers: { "content-type": "application/octet-stream" } })),
      ),
      http.get(`${BASE}/1.0/instances`, (r) => (note(r), sync([]))),
    );
    const client = lxd({
      hooks: {
        beforeRequest: [
          (request) => {
            const r = new Request(request);
            r.headers.set("x-trace", "t1");
            return r;
          },
        ],
        afterResponse: [(_request, response) => void statuses.push(response.status)],
      },
    });
    const conn = client.remote();
    await conn.operations.list();
    expect(await new Response((await conn.files.pull("c1", "/a")).stream).text()).toBe("x");
    expect(await new Response((await conn.images.export("abc")).body).text()).toBe("tar");
    await conn.api().GET("/1.0/instances", {});
    expect(auth).toEqual(["/1.0/operations t1", "/1.0/instances/c1/files t1", "/1.0/images/abc/export t1", "/1.0/instances t1"]);
    expect(statuses).toEqual([200, 200, 200, 200]);
    await client.close();
  });

  it("a beforeRequest hook may answer itself; nothing is sent then", async () => {
    const seen = record();
    const client = lxd({
      hooks: { beforeRequest: [() => Response.json({ type: "sync", status: "Success", status_code: 200, metadata: {} })] },
    });
    await expect(client.operations.list()).resolves.toEqual({});
    expect(seen).toEqual([]);
    await client.close();
  });

  it("hooks that are not functions are refused at createLxd", () => {
    expect(() => lxd({ hooks: { beforeRequest: ["x" as never] } })).toThrow(InvalidArgumentError);
    expect(() => lxd({ hooks: { afterResponse: (() => undefined) as never } })).toThrow(InvalidArgumentError);
  });
});
