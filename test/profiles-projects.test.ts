// Profiles and projects on the virtual LXD: the virtual family (src/mock/collection.ts) behind
// the collection helper, with LXD 5.0.2's status codes and messages and a lifecycle event per change.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, type LifecycleEvent, LxdError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { useVirtualLxd } from "./support/virtual.js";

describe("profiles and projects on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("create, list (names and objects), get, patch, update, rename, delete; used_by names the instances", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    await lxd.profiles.create("v", { name: "web", config: { "limits.cpu": "1" }, devices: {} });
    expect(await lxd.profiles.list("v")).toEqual(["default", "web"]);
    expect(await lxd.profiles.list("v", { recursion: true }, (l) => l.map((p) => p.name))).toEqual(["default", "web"]);
    expect((await lxd.profiles.get("v", "default")).used_by).toEqual(["/1.0/instances/c1"]);
    await lxd.profiles.patch("v", "web", { config: { "limits.memory": "64MiB" } });
    expect((await lxd.profiles.get("v", "web")).config).toEqual({ "limits.cpu": "1", "limits.memory": "64MiB" });
    await lxd.profiles.update("v", "web", { config: { "user.only": "x" }, description: "d" });
    expect(await lxd.profiles.get("v", "web", (p) => [p.config, p.description])).toEqual([{ "user.only": "x" }, "d"]);
    await lxd.profiles.rename("v", "web", "web2");
    expect(await lxd.profiles.list("v")).toEqual(["default", "web2"]);
    await lxd.profiles.delete("v", "web2");
    expect([...virtual.profiles().keys()]).toEqual(["default"]);
  });

  it("LXD's refusals, typed: not found, taken, the default profile and project, an unknown key", async () => {
    const { client: lxd } = v.start();
    await expect(lxd.profiles.get("v", "nope")).rejects.toMatchObject({ status: 404, lxdMessage: "Fetch profile: Profile not found" });
    await expect(lxd.profiles.create("v", { name: "default" })).rejects.toMatchObject({
      status: 500,
      lxdMessage: 'Error inserting "default" into database: The profile already exists',
    });
    await expect(lxd.profiles.delete("v", "default")).rejects.toMatchObject({
      status: 403,
      lxdMessage: 'The "default" profile cannot be deleted',
    });
    await expect(lxd.profiles.rename("v", "default", "x")).rejects.toMatchObject({
      status: 403,
      lxdMessage: 'The "default" profile cannot be renamed',
    });
    await expect(lxd.profiles.patch("v", "default", { config: { bogus: "1" } })).rejects.toMatchObject({
      status: 500,
      lxdMessage: "Unknown configuration key: bogus",
    });
    await expect(lxd.projects.delete("v", "default")).rejects.toBeInstanceOf(LxdError);
    await expect(lxd.projects.delete("v", "default")).rejects.toMatchObject({
      status: 403,
      lxdMessage: "The 'default' project cannot be deleted",
    });
    // What the client can know is refused before anything is sent.
    await expect(lxd.profiles.create("v", { name: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("profiles live in their project; allProjects lists every project's", async () => {
    const { client: lxd } = v.start();
    await lxd.projects.create("v", { name: "p1", config: { "features.profiles": "true" } });
    expect(await lxd.projects.list("v")).toEqual(["default", "p1"]);
    expect(await lxd.projects.state("v", "p1")).toEqual({ resources: {} });
    const p1 = lxd.remote("v").project("p1");
    await p1.profiles.create({ name: "only-in-p1" });
    expect(await p1.profiles.list()).toEqual(["only-in-p1"]);
    expect(await lxd.profiles.list("v")).toEqual(["default"]);
    // LXD 5.0.2 (which the virtual LXD is by default) lacks profiles_all_projects: refused before sending.
    await expect(p1.profiles.list({ allProjects: true })).rejects.toMatchObject({
      name: "UnsupportedError",
      extension: "profiles_all_projects",
    });
    const newer = v.start({ apiExtensions: [...LXD_5_0_2_EXTENSIONS, "profiles_all_projects"] }).client.remote("v");
    await newer.projects.create({ name: "p1" });
    await newer.project("p1").profiles.create({ name: "only-in-p1" });
    expect((await newer.profiles.list({ allProjects: true })).sort()).toEqual(["default", "only-in-p1"]);
    await p1.profiles.delete("only-in-p1");
    await lxd.projects.delete("v", "p1");
    expect(await lxd.projects.list("v")).toEqual(["default"]);
  });

  it("each change is a lifecycle event naming the object, as LXD sends it", async () => {
    const { client: lxd } = v.start();
    const seen: LifecycleEvent["metadata"][] = [];
    const sub = lxd.events("v", { types: ["lifecycle"] });
    await sub.ready;
    void (async () => {
      for await (const e of sub) if (e.type === "lifecycle") seen.push(e.metadata);
    })();
    await lxd.profiles.create("v", { name: "e1" });
    await lxd.profiles.rename("v", "e1", "e2");
    await lxd.profiles.delete("v", "e2");
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.map((m) => [m.action, m.source, m.context])).toEqual([
      ["profile-created", "/1.0/profiles/e1", undefined],
      ["profile-renamed", "/1.0/profiles/e2", { old_name: "e1" }],
      ["profile-deleted", "/1.0/profiles/e2", undefined],
    ]);
    sub.close();
  });
});
