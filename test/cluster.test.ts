// Cluster members: one GET with recursion, a member by name (encoded), bad input refused before
// sending, and a standalone server's refusal typed.
import { http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, LxdError } from "../src/index.js";
import { BASE, client, lxdError, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();
const m = (name: string, status = "Online") => ({
  server_name: name,
  url: `https://10.0.0.${name.slice(1)}:8443`,
  database: true,
  status,
  message: status === "Online" ? "Fully operational" : "No heartbeat for 20s",
  roles: ["database"],
  architecture: "x86_64",
});

describe("cluster", () => {
  it("members() is one GET /1.0/cluster/members?recursion=1", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/1.0/cluster/members`, ({ request }) => {
        seen.push(new URL(request.url).search);
        return sync([m("m1"), m("m2", "Offline")]);
      }),
    );
    const members = await client().cluster.members("test");
    expect(members.map((x) => `${x.server_name} ${x.status}`)).toEqual(["m1 Online", "m2 Offline"]);
    expect(seen).toEqual(["?recursion=1"]);
  });

  it("member(name) asks for that member, its name encoded", async () => {
    const paths: string[] = [];
    server.use(
      http.get(`${BASE}/1.0/cluster/members/:name`, ({ request, params }) => {
        paths.push(new URL(request.url).pathname);
        return sync(m(String(params.name)));
      }),
    );
    expect((await client().cluster.member("test", "m2")).url).toBe("https://10.0.0.2:8443");
    expect(paths).toEqual(["/1.0/cluster/members/m2"]);
  });

  it("refuses a bad member name before sending", async () => {
    const lxd = client();
    for (const bad of ["", "a/b", "..", 7])
      await expect(lxd.cluster.member("test", bad as string)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("a standalone server's refusal is an LxdError with its message", async () => {
    server.use(http.get(`${BASE}/1.0/cluster/members`, () => lxdError(500, "Server is not clustered")));
    const err = await client()
      .cluster.members("test")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 500, lxdMessage: "Server is not clustered" });
  });
});

describe("cluster remotes in the browser entry", () => {
  it("createLxd() takes a list of member URLs; the per-capability base, built without the failover, refuses one clearly", async () => {
    vi.stubGlobal("location", { origin: "https://lxd.test" }); // the page `local` stands for
    const browser = await import("../src/browser.js");
    const remotes = { c: { url: ["https://10.0.0.1:8443", "https://10.0.0.2:8443"] } };
    const lxd = browser.createLxd({ remotes, defaultRemote: "c" });
    expect(lxd.remotes).toContain("c");
    await lxd.close();
    expect(() => browser.createLxdBase({ remotes })).toThrow(InvalidArgumentError);
    expect(() => browser.createLxdBase({ remotes })).toThrow(/member URLs needs createLxd\(\)/);
    vi.unstubAllGlobals();
  });
});
