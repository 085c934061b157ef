// Live collections on the virtual LXD: instances.watch() and profiles.watch() equal a fresh list
// after each create, rename, state change and delete, and after the events socket dropped while
// something changed; every watch of a remote shares one events socket.
import { describe, expect, it } from "vitest";
import { AbortError, type Instance, type Watch } from "../src/index.js";
import { until, useVirtualLxd } from "./support/virtual.js";

/** Reads a watch in the background: `next(check)` resolves with the first list from now that passes `check`. */
function follow<T>(watch: Watch<T>) {
  const seen: T[][] = [];
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const list of watch) seen.push(list);
    } catch (err) {
      failure = err;
    }
  })();
  return {
    watch,
    seen,
    done,
    get failure() {
      return failure;
    },
    async next(check: (list: T[]) => boolean): Promise<T[]> {
      await until(() => seen.some(check), 5000);
      return [...seen].reverse().find(check)!;
    },
  };
}

const names = (l: { name?: string }[]) => l.map((i) => i.name).sort();

describe("watch() on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("instances.watch equals a fresh list after create, rename, state change and delete", async () => {
    const { client: lxd } = v.start();
    const fresh = () => lxd.instances.list("v", { recursion: 1 });
    const w = follow(lxd.instances.watch("v"));
    expect(await w.next((l) => l.length === 1)).toEqual(await fresh());

    await lxd.instances.launch("v", "web", "busybox");
    expect(await w.next((l) => l.some((i) => i.name === "web" && i.status === "Running"))).toEqual(await fresh());
    await (await lxd.instances.setState("v", "web", { action: "stop" })).wait();
    expect(await w.next((l) => l.some((i) => i.name === "web" && i.status === "Stopped"))).toEqual(await fresh());
    await (await lxd.instances.rename("v", "web", "web2")).wait();
    expect(await w.next((l) => names(l).join() === "c1,web2")).toEqual(await fresh());
    await (await lxd.instances.delete("v", "web2")).wait();
    const last = await w.next((l) => names(l).join() === "c1");
    expect(last).toEqual(await fresh());
    // Only changed lists are given: no two consecutive lists are equal.
    for (let i = 1; i < w.seen.length; i++) expect(w.seen[i]).not.toEqual(w.seen[i - 1]);
    w.seen.length = 0;
    await lxd.instances.patch("v", "c1", { config: { "user.same": "x" } });
    expect(await w.next((l) => l[0]?.config?.["user.same"] === "x")).toEqual(await fresh());
  });

  it("a change while the events socket is down is seen once it is back (the list is fetched again)", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const w = follow(lxd.profiles.watch("v"));
    await w.next((l) => names(l).join() === "default");
    await until(() => virtual.eventSockets === 1);
    // Dropped, and the change made before the socket is back: no event of it ever arrives.
    virtual.traps.refuseEvents = true;
    virtual.dropEventSockets();
    await lxd.profiles.create("v", { name: "made-while-down" });
    virtual.traps.refuseEvents = false;
    expect(await w.next((l) => names(l).join() === "default,made-while-down")).toEqual(await lxd.profiles.list("v", { recursion: true }));
  });

  it("every watch of a remote shares one events socket; close() and an abort end them", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const ctl = new AbortController();
    const a = follow(lxd.instances.watch("v"));
    const b = follow(lxd.profiles.watch("v", { signal: ctl.signal }));
    const c = follow(lxd.remote("v").projects.watch());
    await Promise.all([a.next((l) => l.length === 1), b.next((l) => l.length === 1), c.next((l) => l.length === 1)]);
    expect(virtual.eventConnections).toBe(1);
    ctl.abort();
    await b.done;
    expect(b.failure).toBeInstanceOf(AbortError);
    const d = follow(lxd.profiles.watch("v"));
    await lxd.profiles.create("v", { name: "after-abort" });
    await d.next((l) => l.length === 2);
    expect(names(b.seen.at(-1) as Instance[])).toEqual(["default"]);
    // close() ends an iteration without an error.
    a.watch.close();
    await a.done;
    expect(a.failure).toBeUndefined();
  });

  it("bad options are refused before anything is sent; a failing list ends the watch with its error", async () => {
    const { client: lxd } = v.start();
    expect(() => lxd.instances.watch("v", { project: "a/b" })).toThrow(/project "a\/b" is not a valid name/);
    expect(() => lxd.profiles.watch("v", { allProjects: "yes" as unknown as boolean })).toThrow(/allProjects must be a boolean/);
    // LXD 5.0.2 (the virtual LXD's default) cannot list every project's profiles.
    const w = follow(lxd.profiles.watch("v", { allProjects: true }));
    await w.done;
    expect(w.failure).toMatchObject({ name: "UnsupportedError", extension: "profiles_all_projects" });
  });
});
