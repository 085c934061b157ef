// Instances on the virtual LXD (the whole workflow) and on MSW handlers for each error path.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, OperationError, ResponseError } from "../src/index.js";
import { asyncOp, BASE, client, lxdError, op, sync, useMockServer } from "./support/mock.js";
import { useVirtualLxd } from "./support/virtual.js";

describe("instances on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("launch, list (names, objects, full, filter), get, patch, update, snapshots, rename, delete --force", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const launched = await lxd.instances.launch("v", "web", "busybox", { config: { "user.k": "1" }, profiles: ["default"] });
    expect(launched).toMatchObject({ name: "web", status: "Running", config: { "user.k": "1" } });
    expect(await lxd.instances.list("v")).toEqual(["c1", "web"]);
    expect(await lxd.instances.list("v", { recursion: 1 }, (l) => l.map((i) => i.status))).toEqual(["Running", "Running"]);
    expect((await lxd.instances.list("v", { recursion: 2 }))[1]?.state?.status_code).toBe(103);
    expect(await lxd.instances.list("v", { filter: "name eq web" })).toEqual(["web"]);

    await lxd.instances.patch("v", "web", { config: { "user.p": "2" } });
    expect((await lxd.instances.get("v", "web")).config).toEqual({ "user.k": "1", "user.p": "2" });
    await (await lxd.instances.update("v", "web", { config: { "user.only": "3" }, description: "d" })).wait();
    expect(await lxd.instances.get("v", "web", (i) => [i.config, i.description])).toEqual([{ "user.only": "3" }, "d"]);

    await (await lxd.instances.snapshots.create("v", "web", "s0")).wait();
    expect(await lxd.instances.snapshots.list("v", "web")).toEqual(["s0"]);
    await lxd.instances.patch("v", "web", { config: { "user.only": "changed" } });
    await (await lxd.instances.snapshots.restore("v", "web", "s0")).wait();
    expect((await lxd.instances.get("v", "web")).config?.["user.only"]).toBe("3");
    await (await lxd.instances.snapshots.delete("v", "web", "s0")).wait();
    expect(await lxd.instances.snapshots.list("v", "web")).toEqual([]);

    await expect(lxd.instances.delete("v", "web")).rejects.toMatchObject({
      name: "LxdError",
      status: 400,
      lxdMessage: "Instance is running",
    });
    await (await lxd.instances.setState("v", "web", { action: "stop" })).wait();
    await (await lxd.instances.rename("v", "web", "web2")).wait();
    await (await lxd.instances.setState("v", "web2", { action: "start" })).wait();
    await (await lxd.instances.delete("v", "web2", { force: true })).wait();
    expect(virtual.instances.has("web2")).toBe(false);
    expect(virtual.requests).toContain("PUT /1.0/instances/web2/state");
  });

  it("create sends target and project as the query, and the body LXD expects", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const refused = await lxd.instances
      .create("v", "t1", { fingerprint: "abc" }, { target: "m2", project: "default" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LxdError); // the virtual LXD has no such image
    expect(virtual.requests).toContain("POST /1.0/instances?target=m2&project=default");
  });

  it("an instance from an unknown image is a 404 LxdError", async () => {
    const { client: lxd } = v.start();
    await expect(lxd.instances.create("v", "x", "nope")).rejects.toMatchObject({
      name: "LxdError",
      status: 404,
      lxdMessage: "Image not found",
    });
  });
});

describe("instances: error paths", () => {
  const server = useMockServer();

  it("a failed create operation rejects launch with OperationError and never starts", async () => {
    const failed = op({ status: "Failure", status_code: 400, err: "Failed creating instance record" });
    let started = false;
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 500 })),
      http.post(`${BASE}/1.0/instances`, () => asyncOp(op({ id: failed.id }))),
      http.get(`${BASE}/1.0/operations/:id/wait`, () => sync(failed)),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(failed)),
      http.put(`${BASE}/1.0/instances/:name/state`, () => {
        started = true;
        return lxdError(500, "unexpected");
      }),
    );
    const lxd = client();
    await expect(lxd.instances.launch(undefined, "x", "img")).rejects.toBeInstanceOf(OperationError);
    expect(started).toBe(false);
    await lxd.close();
  });

  it("403, 404 and HTML from a proxy are typed errors", async () => {
    server.use(
      http.get(`${BASE}/1.0/instances`, () => lxdError(403, "not authorized")),
      http.get(`${BASE}/1.0/instances/:name`, () => lxdError(404, "Instance not found")),
      http.patch(
        `${BASE}/1.0/instances/:name`,
        () => new HttpResponse("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }),
      ),
    );
    const lxd = client();
    await expect(lxd.instances.list()).rejects.toMatchObject({ name: "LxdError", status: 403 });
    await expect(lxd.instances.get(undefined, "c9")).rejects.toMatchObject({ name: "LxdError", status: 404, path: "/1.0/instances/c9" });
    await expect(lxd.instances.patch(undefined, "c1", { config: {} })).rejects.toBeInstanceOf(ResponseError);
    await lxd.close();
  });

  it("delete --force: a stop refused because the instance stopped meanwhile still deletes", async () => {
    const done = op({ status: "Success", status_code: 200 });
    server.use(
      http.get(`${BASE}/1.0/events`, () => new HttpResponse(null, { status: 500 })),
      http.get(`${BASE}/1.0/instances/:name/state`, () => sync({ status: "Running", status_code: 103 })),
      http.put(`${BASE}/1.0/instances/:name/state`, () => lxdError(400, "The instance is already stopped")),
      http.delete(`${BASE}/1.0/instances/:name`, () => asyncOp(op({ id: done.id }))),
      http.get(`${BASE}/1.0/operations/:id/wait`, () => sync(done)),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(done)),
    );
    const lxd = client();
    expect((await (await lxd.instances.delete(undefined, "c1", { force: true })).wait()).status).toBe("Success");
    await lxd.close();
  });

  it("bad input is refused before anything is sent", async () => {
    const lxd = client(); // no handlers: any request would fail the test (onUnhandledRequest: error)
    const bad: [string, () => Promise<unknown>][] = [
      ["name with a slash", () => lxd.instances.get(undefined, "a/b")],
      ["recursion 3", () => lxd.instances.list(undefined, { recursion: 3 as never })],
      ["project and allProjects", () => lxd.instances.list(undefined, { project: "p", allProjects: true })],
      ["config value not a string", () => lxd.instances.create(undefined, "x", "img", { config: { a: 1 as never } })],
      ["image neither alias nor fingerprint", () => lxd.instances.create(undefined, "x", {} as never)],
      ["type unknown", () => lxd.instances.create(undefined, "x", "img", { type: "vm" as never })],
      ["target with a slash", () => lxd.instances.create(undefined, "x", "img", { target: "a/b" })],
      ["rename to ..", () => lxd.instances.rename(undefined, "x", "..")],
      ["force not a boolean", () => lxd.instances.delete(undefined, "x", { force: "yes" as never })],
      ["snapshot name with NUL", () => lxd.instances.snapshots.create(undefined, "x", "s\0")],
      ["mutator not a function", () => lxd.instances.get(undefined, "x", {}, 5 as never)],
    ];
    for (const [what, call] of bad) await expect(call(), what).rejects.toBeInstanceOf(InvalidArgumentError);
    await lxd.close();
  });
});
