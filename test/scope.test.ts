// lxd.remote(name) and .project(name): the same calls without the remote argument.
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createLxd, InvalidArgumentError } from "../src/index.js";
import { BASE, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();
const OTHER = "https://other.test:8443";
const two = () => createLxd({ remotes: { test: { url: BASE }, other: { url: OTHER } }, defaultRemote: "test" });

describe("scoped client", () => {
  it("remote(name) sends every call to that remote, not the default one", async () => {
    const o = op({ status: "Success", status_code: 200 });
    const seen: string[] = [];
    server.use(
      http.get(`${OTHER}/1.0/operations/:id`, ({ request }) => (seen.push(request.url), sync(o))),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(op())),
    );
    const lxd = two();
    const other = lxd.remote("other");
    expect(other.remote).toBe("other");
    await expect(other.operations.info(o.id)).resolves.toEqual(o);
    await expect(other.operations.info(o.id, (x) => x.status)).resolves.toBe("Success");
    expect(seen).toEqual([`${OTHER}/1.0/operations/${o.id}`, `${OTHER}/1.0/operations/${o.id}`]);
    await lxd.close();
  });

  it("remote() is the default remote; an unknown name is refused before anything is sent", async () => {
    const lxd = two();
    expect(lxd.remote().remote).toBe("test");
    expect(() => lxd.remote("nope")).toThrow(InvalidArgumentError);
    await lxd.close();
  });

  it("project(name) adds the project to list and instance calls; a call's own project wins", async () => {
    const urls: string[] = [];
    server.use(
      http.get(`${BASE}/1.0/operations`, ({ request }) => (urls.push(request.url), sync({ running: ["/1.0/operations/x"] }))),
      http.get(`${BASE}/1.0/instances/:name/state`, ({ request }) => (urls.push(request.url), sync({ status: "Running" }))),
    );
    const lxd = two();
    const p = lxd.remote().project("p1");
    expect(p.projectName).toBe("p1");
    await expect(p.operations.list()).resolves.toEqual({ running: ["/1.0/operations/x"] });
    await expect(p.operations.list((m) => Object.keys(m))).resolves.toEqual(["running"]);
    await p.operations.list({ project: "p2" });
    await p.instances.state("c1");
    expect(urls).toEqual([
      `${BASE}/1.0/operations?project=p1`,
      `${BASE}/1.0/operations?project=p1`,
      `${BASE}/1.0/operations?project=p2`,
      `${BASE}/1.0/instances/c1/state?project=p1`,
    ]);
    await lxd.close();
  });

  it("instances and images calls get the project in every argument form; the call's own project wins", async () => {
    const urls: string[] = [];
    const seen = ({ request }: { request: Request }) => void urls.push(request.url);
    server.use(
      http.get(`${BASE}/1.0/instances`, (r) => (seen(r), sync(["/1.0/instances/c1?project=p1"]))),
      http.get(`${BASE}/1.0/instances/:name`, (r) => (seen(r), sync({ name: "c1", status: "Running" }))),
      http.get(`${BASE}/1.0/instances/:name/snapshots`, (r) => (seen(r), sync(["/1.0/instances/c1/snapshots/s1"]))),
      http.get(`${BASE}/1.0/images/aliases/:name`, (r) => (seen(r), sync({ name: "bb", target: "abc" }))),
      // A filter is sent only to a server that applies it (listing.ts).
      http.get(`${BASE}/1.0`, () => sync({ api_extensions: ["api_filtering"] })),
    );
    const lxd = two();
    const p = lxd.remote("test").project("p1");
    await expect(p.instances.list()).resolves.toEqual(["c1"]);
    await expect(p.instances.list((names) => names.length)).resolves.toBe(1);
    await expect(p.instances.list({ filter: "status eq Running" }, (names) => names[0])).resolves.toBe("c1");
    await expect(p.instances.get("c1", (i) => i.status)).resolves.toBe("Running");
    await expect(p.instances.get("c1", { full: true, project: "p2" })).resolves.toMatchObject({ name: "c1" });
    await expect(p.instances.snapshots.list("c1")).resolves.toEqual(["s1"]);
    await expect(p.images.aliases.get("bb", { project: "p3" }, (a) => a.target)).resolves.toBe("abc");
    expect(urls).toEqual([
      `${BASE}/1.0/instances?project=p1`,
      `${BASE}/1.0/instances?project=p1`,
      `${BASE}/1.0/instances?filter=status%20eq%20Running&project=p1`,
      `${BASE}/1.0/instances/c1?project=p1`,
      `${BASE}/1.0/instances/c1?recursion=1&project=p2`,
      `${BASE}/1.0/instances/c1/snapshots?project=p1`,
      `${BASE}/1.0/images/aliases/bb?project=p3`,
    ]);
    await lxd.close();
  });

  it("scoped calls still refuse bad options and mutators before sending; trust goes to the scope's remote and project", async () => {
    const urls: string[] = [];
    server.use(http.get(`${OTHER}/1.0/certificates`, ({ request }) => (urls.push(request.url), sync([]))));
    const lxd = two();
    const p = lxd.remote("other").project("p1");
    await expect(p.instances.get("c1", 5 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p.instances.get("c1", {}, 5 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p.images.get("abc", { project: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p.trust.list()).resolves.toEqual([]);
    // Every request carries the scope's project, as LXD's Go client sends it (setQueryAttributes).
    expect(urls).toEqual([`${OTHER}/1.0/certificates?recursion=1&project=p1`]);
    await lxd.close();
  });

  it("a project name that is not one path segment is refused", async () => {
    const lxd = two();
    expect(() => lxd.remote().project("a/b")).toThrow(InvalidArgumentError);
    await lxd.close();
  });

  it("files and console calls go to the scope's remote with its project; a call's own project wins", async () => {
    const urls: string[] = [];
    const file = { "X-LXD-type": "file", "X-LXD-mode": "0644", "X-LXD-uid": "0", "X-LXD-gid": "0" };
    server.use(
      http.all(`${OTHER}/1.0/instances/c1/files`, ({ request }) => {
        urls.push(`${request.method} ${request.url}`);
        return request.method === "GET" ? new HttpResponse("x", { headers: file }) : sync({});
      }),
      http.get(`${OTHER}/1.0/instances/c1/console`, ({ request }) => (urls.push(`GET ${request.url}`), new HttpResponse("log"))),
    );
    const lxd = two();
    const p = lxd.remote("other").project("p1");
    await p.files.push("c1", "/root/a", "x");
    expect(await new Response((await p.files.pull("c1", "/root/a")).stream).text()).toBe("x");
    await p.files.delete("c1", "/root/a", { project: "p2" });
    expect(await p.console.log("c1")).toBe("log");
    expect(urls).toEqual([
      `POST ${OTHER}/1.0/instances/c1/files?path=%2Froot%2Fa&project=p1`,
      `GET ${OTHER}/1.0/instances/c1/files?path=%2Froot%2Fa&project=p1`,
      `DELETE ${OTHER}/1.0/instances/c1/files?path=%2Froot%2Fa&project=p2`,
      `GET ${OTHER}/1.0/instances/c1/console?project=p1`,
    ]);
    await lxd.close();
  });
});
