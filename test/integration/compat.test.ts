// The compatibility table of docs/compatibility.md, row by row, against each real server: where Incus 6.0.4
// answers differently from LXD 5.0.2, lxd-fetch gives the same result, and the fields Incus adds
// arrive typed. Which answer a server gives is read from its api_extensions, never its version.
import { afterAll, describe, expect, it } from "vitest";
import { LxdError, OperationError, TimeoutError, type LifecycleEvent, type Operation } from "../../src/index.js";
import { clientFor, createTokenOperation, describeServers, remotes } from "./lxd.js";

describeServers("real server: compatibility", (env) => {
  const [name, remote] = remotes(env)[0]!;
  const lxd = clientFor(name, remote);
  afterAll(() => lxd.close());
  const incus = env.server === "incus";

  it("the raw /wait answer to a timeout is this server's form; wait() turns both into TimeoutError with the last state", async () => {
    const id = await createTokenOperation(lxd);
    try {
      const { data } = await lxd.api().GET("/1.0/operations/{id}/wait", { params: { path: { id }, query: { timeout: 1 } } });
      const raw = data as unknown as { type: string; error?: string; error_code?: number; metadata: Operation | null };
      // LXD 5.0.2: the non-final Operation; Incus 6.0 (and LXD >= 5.0.3): an error envelope in HTTP 200.
      expect(
        raw.type === "error"
          ? { type: raw.type, error: raw.error, code: raw.error_code }
          : { type: raw.type, status: raw.metadata?.status_code },
      ).toEqual(incus ? { type: "error", error: "context deadline exceeded", code: 500 } : { type: "sync", status: 103 });
      const err = await lxd.operations.wait(name, id, { timeout: 1200 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).operation).toMatchObject({ id, status_code: 103 });
    } finally {
      await lxd.operations.delete(name, id);
    }
  });

  it("a failed command: wait() rejects with OperationError from both /wait forms (LXD: the Failure Operation, Incus: an error envelope)", async () => {
    const { data } = await lxd.api().POST("/1.0/instances/{name}/exec", {
      params: { path: { name: env.container } },
      body: { command: ["no-such-command"], "wait-for-websocket": false, interactive: false },
    });
    const id = (data as { metadata: Operation }).metadata.id;
    const err = await lxd.operations.wait(name, id, { timeout: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ statusCode: 400, status: "Failure", err: "Command not found" });
  });

  it("an unknown instance is a 404 LxdError whatever the text (LXD: 'Instance not found', Incus names the instance and project)", async () => {
    const err = await lxd.run(name, "no-such-instance", ["true"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 404 });
    expect((err as LxdError).lxdMessage).toMatch(
      incus ? /^Failed to fetch instance "no-such-instance" in project "default": Instance not found$/ : /^Instance not found$/,
    );
  });

  it("a filter on profiles: Incus applies it (api_filtering_extended), LXD answers every profile; lxd-fetch refuses it there", async () => {
    const has = await lxd.server.supports(name, "api_filtering_extended");
    expect(has).toBe(incus);
    // The typed `filter` here is Incus's (the generator adds it to LXD's path, marked Incus only).
    const { data } = await lxd.api().GET("/1.0/profiles", { params: { query: { filter: "name eq no-such-profile" } } });
    expect(data?.metadata).toEqual(incus ? [] : ["/1.0/profiles/default"]);
    const listed = lxd.profiles.list(name, { filter: "name eq no-such-profile" });
    if (has) expect(await listed).toEqual([]);
    else await expect(listed).rejects.toMatchObject({ name: "UnsupportedError", extension: "api_filtering_extended" });
    // Instances are filtered by both (api_filtering).
    expect(await lxd.instances.list(name, { filter: `name eq ${env.container}` })).toEqual([env.container]);
  });

  it("instances.state: started_at is set where the server has instance_state_started_at (Incus), absent where not (LXD 5.0.2)", async () => {
    const has = await lxd.server.supports(name, "instance_state_started_at");
    expect(has).toBe(incus);
    const state = await lxd.instances.state(name, env.container);
    expect(state.status).toBe("Running");
    if (has) expect(Date.parse(state.started_at ?? "")).toBeGreaterThan(0);
    else expect(state.started_at).toBeUndefined();
  });

  it("lifecycle events carry name and project where the server has event_lifecycle_name_and_project (Incus)", async () => {
    const has = await lxd.server.supports(name, "event_lifecycle_name_and_project");
    expect(has).toBe(incus);
    const sub = lxd.events(name, { types: ["lifecycle"] });
    await sub.ready;
    const first = (async () => {
      for await (const e of sub) if ((e as LifecycleEvent).metadata.action === "instance-updated") return e as LifecycleEvent;
      return undefined;
    })();
    // An empty PATCH changes nothing but is announced as instance-updated.
    const { response } = await lxd.api().PATCH("/1.0/instances/{name}", { params: { path: { name: env.container } }, body: {} });
    expect(response.status).toBe(200);
    const e = await first;
    sub.close();
    expect(e?.metadata.source).toBe(`/1.0/instances/${env.container}`);
    if (has) expect({ name: e?.metadata.name, project: e?.metadata.project }).toEqual({ name: env.container, project: "default" });
    else expect(e?.metadata.name).toBeUndefined();
  });

  describe("project and all-projects together", () => {
    it("are refused before sending (LXD 5.0.2 answers 500 for events, Incus 400)", async () => {
      await expect(lxd.operations.list(name, { project: "default", allProjects: true })).rejects.toMatchObject({
        name: "InvalidArgumentError",
      });
      expect(() => lxd.events(name, { project: "default", allProjects: true })).toThrow(/exclude each other/);
    });
  });
});
