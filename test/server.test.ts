// Feature detection: GET /1.0 asked once per remote, its api_extensions read, failures not kept.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { ConnectionError, createLxdBase, lxdOperations, lxdServer } from "../src/index.js";
import { BASE, client, lxdError, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();

describe("server", () => {
  it("info is GET /1.0, asked once per remote and kept", async () => {
    let calls = 0;
    server.use(
      http.get(
        `${BASE}/1.0`,
        () => (calls++, sync({ api_extensions: ["a", "b"], environment: { server: "incus", server_version: "6.0.4" } })),
      ),
    );
    const lxd = client();
    const [one, two] = await Promise.all([lxd.server.info("test"), lxd.server.info("test")]);
    expect(one.environment?.server).toBe("incus");
    expect(two).toBe(one);
    await expect(lxd.server.supports("test", "b")).resolves.toBe(true);
    await expect(lxd.server.supports("test", "c")).resolves.toBe(false);
    expect(calls).toBe(1);
    await lxd.server.info("test", { refresh: true });
    expect(calls).toBe(2);
  });

  it("a failed answer is not kept: the next call asks again", async () => {
    let calls = 0;
    server.use(http.get(`${BASE}/1.0`, () => (++calls === 1 ? lxdError(500, "boom") : sync({ api_extensions: ["x"] }))));
    const lxd = client();
    await expect(lxd.server.info("test")).rejects.toMatchObject({ name: "LxdError", status: 500 });
    await expect(lxd.server.supports("test", "x")).resolves.toBe(true);
    expect(calls).toBe(2);
  });

  it("a server that cannot be reached is a ConnectionError, as for any call", async () => {
    server.use(http.get(`${BASE}/1.0`, () => Response.error()));
    await expect(client().server.info("test")).rejects.toBeInstanceOf(ConnectionError);
  });

  it("as a capability, lxdServer(base) shares its GET /1.0 with lxdOperations' feature check", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/1.0`, () => (calls++, sync({ api_extensions: ["operations_get_query_all_projects"] }))),
      http.get(`${BASE}/1.0/operations`, () => sync({})),
    );
    const base = createLxdBase({ remotes: { test: { url: BASE } }, defaultRemote: "test" });
    await expect(lxdServer(base).supports(undefined, "operations_get_query_all_projects")).resolves.toBe(true);
    await lxdOperations(base).list(undefined, { allProjects: true });
    expect(calls).toBe(1);
    await base.close();
  });

  it("bad input is refused before anything is sent", async () => {
    const lxd = client();
    await expect(lxd.server.supports("test", "" as string)).rejects.toMatchObject({ name: "InvalidArgumentError" });
    await expect(lxd.server.info("test", { refresh: "yes" as unknown as boolean })).rejects.toMatchObject({ name: "InvalidArgumentError" });
  });
});
