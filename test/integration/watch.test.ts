// Live collections against the real servers, over unix and HTTPS: instances.watch() and
// profiles.watch() equal a fresh list after each create, rename, state change and delete, and
// instances.watch() and networks.watch() after the daemon is killed and started again (changes
// made as it comes back included); all watches of a client share one events socket (counted at
// the upgrade requests, through a hook).
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { createLxd, type Lxd, type Watch } from "../../src/index.js";
import { describeServers, remotes } from "./lxd.js";

const root = new URL("../../", import.meta.url).pathname;
const unique = () => Math.random().toString(36).slice(2, 8);

/** Reads a watch in the background; `until(check)` resolves with the first list from now on that passes it. */
function follow<T>(watch: Watch<T>) {
  let latest: T[] | undefined;
  let failure: unknown;
  let wake = () => {};
  const done = (async () => {
    try {
      for await (const list of watch) {
        latest = list;
        wake();
      }
    } catch (err) {
      failure = err;
      wake();
    }
  })();
  return {
    watch,
    done,
    async until(check: (list: T[]) => boolean, ms = 60_000): Promise<T[]> {
      const end = Date.now() + ms;
      while (!(latest && check(latest))) {
        if (failure) throw failure;
        if (Date.now() > end)
          throw new Error(`watch: no list passing the check within ${ms} ms (last: ${JSON.stringify(latest)?.slice(0, 300)})`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
      return latest;
    },
  };
}

const names = (l: { name?: string }[]) => l.map((i) => i.name ?? "").sort();
const states = (l: { name?: string; status?: string }[]) => l.map((i) => `${i.name}:${i.status}`).sort();

describeServers("real server: watch()", (env) => {
  const script = root + (env.server === "incus" ? "scripts/incus-up.sh" : "scripts/lxd-up.sh");
  describe.each(remotes(env))("over %s", (name, remote) => {
    let sockets = 0;
    const lxd: Lxd = createLxd({
      remotes: { [name]: remote },
      defaultRemote: name,
      // The watches' events sockets (operations wait on sockets of their own, `type=operation`).
      hooks: { beforeRequest: [(r) => void (new URL(r.url).search.includes("type=lifecycle") && sockets++)] },
    });
    const conn = lxd.remote(name);
    const instance = `lfw-${name}-${unique()}`;
    const profile = `lfw-p-${unique()}`;
    afterAll(async () => {
      await (await conn.instances.delete(instance, { force: true }).catch(() => undefined))?.wait().catch(() => undefined);
      await (await conn.instances.delete(`${instance}-r`, { force: true }).catch(() => undefined))?.wait().catch(() => undefined);
      for (const p of [profile, `${profile}-r`, `${profile}-back`]) await conn.profiles.delete(p).catch(() => undefined);
      await lxd.close();
    });

    it("equal a fresh list after create, rename, state change and delete, on one events socket", { timeout: 180_000 }, async () => {
      const instances = follow(conn.instances.watch());
      const profiles = follow(conn.profiles.watch());
      const fresh = async () => states(await conn.instances.list({ recursion: 1 }));
      expect(states(await instances.until(() => true))).toEqual(await fresh());

      await (await conn.instances.create(instance, { alias: env.image })).wait();
      expect(states(await instances.until((l) => names(l).includes(instance)))).toEqual(await fresh());
      await (await conn.instances.setState(instance, { action: "start" })).wait();
      expect(states(await instances.until((l) => states(l).includes(`${instance}:Running`)))).toEqual(await fresh());
      await (await conn.instances.setState(instance, { action: "stop", force: true })).wait();
      expect(states(await instances.until((l) => states(l).includes(`${instance}:Stopped`)))).toEqual(await fresh());
      await (await conn.instances.rename(instance, `${instance}-r`)).wait();
      expect(states(await instances.until((l) => names(l).includes(`${instance}-r`)))).toEqual(await fresh());
      await (await conn.instances.delete(`${instance}-r`)).wait();
      expect(states(await instances.until((l) => !names(l).includes(`${instance}-r`)))).toEqual(await fresh());

      await conn.profiles.create({ name: profile });
      await profiles.until((l) => names(l).includes(profile));
      await conn.profiles.rename(profile, `${profile}-r`);
      expect(names(await profiles.until((l) => names(l).includes(`${profile}-r`)))).toEqual(
        names(await conn.profiles.list({ recursion: true })),
      );
      await conn.profiles.delete(`${profile}-r`);
      expect(names(await profiles.until((l) => !names(l).includes(`${profile}-r`)))).toEqual((await conn.profiles.list()).sort());
      expect(sockets).toBe(1);
      instances.watch.close();
      profiles.watch.close();
      await Promise.all([instances.done, profiles.done]);
    });
  });

  it("after the daemon is killed and started again, instances and networks watches equal fresh lists, changes made as it comes back included", {
    timeout: 240_000,
  }, async () => {
    const lxds = remotes(env).map(([name, remote]) => createLxd({ remotes: { [name]: remote }, defaultRemote: name }));
    const clients = lxds.map((l) => l.remote(l.defaultRemote));
    const instanceWatches = clients.map((c) => follow(c.instances.watch()));
    const networkWatches = clients.map((c) => follow(c.networks.watch()));
    await Promise.all([...instanceWatches, ...networkWatches].map((w) => w.until(() => true)));
    const id = unique();
    const [bridge, instance] = [`lfwb${id}`, `lfw-back-${id}`];
    const conn = clients[0]!;
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn("bash", [script, "--restart"], {
          env: { ...process.env, LXD_UP_STOP_GRACE: "0", INCUS_UP_STOP_GRACE: "0" },
          stdio: "ignore",
        });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${script} --restart exited ${code}`))));
      });
      // At once, before the watches' events sockets are necessarily back: only the lists fetched
      // again on their reconnect can show these.
      await conn.networks.create({ name: bridge, config: { "ipv4.address": "none", "ipv6.address": "none" } });
      await (await conn.instances.create(instance, { alias: env.image })).wait();
      for (const [i, c] of clients.entries()) {
        // Managed networks only: the host's own interfaces are listed too, but come and go without
        // any lifecycle event (the first daemon start after boot loads the ifb module: ifb0 and ifb1
        // appeared in one run), so no watch can follow them until its next list.
        const managed = (l: { name?: string; managed?: boolean }[]) => names(l.filter((n) => n.managed));
        expect(managed(await networkWatches[i]!.until((l) => names(l).includes(bridge)))).toEqual(
          managed(await c.networks.list({ recursion: true })),
        );
        expect(states(await instanceWatches[i]!.until((l) => names(l).includes(instance)))).toEqual(
          states(await c.instances.list({ recursion: 1 })),
        );
      }
    } finally {
      await (await conn.instances.delete(instance, { force: true }).catch(() => undefined))?.wait().catch(() => undefined);
      await conn.networks.delete(bridge).catch(() => undefined);
      for (const w of [...instanceWatches, ...networkWatches]) w.watch.close();
      await Promise.all(lxds.map((l) => l.close()));
    }
  });
});
