// Networks against the real servers, over the unix socket and HTTPS: a bridge with no addresses
// (ipv4.address=none, ipv6.address=none; these machines take no address range) through every
// call of the family, an ACL, a DNS zone with a record, the forwards, peers and load balancers a
// bridge without addresses can show, LXD's refusal of deleting a network in use, and bad input
// refused before anything is sent. Everything made here is removed again (also in afterAll).
import { afterAll, describe, expect, it } from "vitest";
import {
  createLxd,
  createLxdBase,
  InvalidArgumentError,
  type Lxd,
  LxdError,
  lxdGet,
  lxdList,
  lxdListOperations,
  networksFamily,
  UnsupportedError,
} from "../../src/index.js";
import { describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 6);
const NO_ADDRESSES = { "ipv4.address": "none", "ipv6.address": "none" };

describeServers("real server: networks", (env) => {
  describe.each(remotes(env))("over %s", (transport, remote) => {
    // LXD and Incus share the host's network namespace here, and an interface name has at most
    // 15 characters: the server and transport are in the name so no two suites collide.
    const tag = `net${env.server[0]}${transport[0]}${unique()}`;
    const bridge = `${tag}b`;
    const renamed = `${tag}r`;
    const acl = `${tag}-acl`;
    const zone = `${tag}.example.net`;
    const profile = `${tag}-prof`;
    const sent: string[] = [];
    const lxd: Lxd = createLxd({
      remotes: { [transport]: remote },
      defaultRemote: transport,
      hooks: {
        beforeRequest: [
          (_req, ctx) => {
            sent.push(`${ctx.method} ${ctx.path}`);
            return undefined;
          },
        ],
      },
    });
    const conn = lxd.remote(transport);
    afterAll(async () => {
      const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
      await quiet(conn.profiles.delete(profile));
      await quiet(conn.networkZones.records.delete(zone, "www"));
      await quiet(conn.networkZones.delete(zone));
      for (const n of [bridge, renamed]) await quiet(conn.networks.patch(n, { config: { "security.acls": "" } }));
      await quiet(conn.networkAcls.delete(acl));
      await quiet(conn.networks.delete(bridge));
      await quiet(conn.networks.delete(renamed));
      await lxd.close();
    });

    it("a bridge with no addresses: create, get, list (names and objects), patch, update, state, leases, rename, delete", async () => {
      expect(await conn.networks.create({ name: bridge, type: "bridge", config: NO_ADDRESSES, description: "lxd-fetch" })).toBeUndefined();

      const got = await conn.networks.get(bridge);
      expect(got).toMatchObject({ name: bridge, type: "bridge", managed: true, description: "lxd-fetch", config: NO_ADDRESSES });
      expect(got.status).toBe("Created");

      expect(await conn.networks.list()).toContain(bridge);
      const objects = await conn.networks.list({ recursion: true });
      expect(objects.find((n) => n.name === bridge)).toMatchObject({ type: "bridge", managed: true });
      // A host interface LXD does not manage is listed too.
      expect(objects.some((n) => n.managed === false)).toBe(true);

      await conn.networks.patch(bridge, { config: { "bridge.mtu": "1400" } });
      expect((await conn.networks.get(bridge)).config).toEqual({ ...NO_ADDRESSES, "bridge.mtu": "1400" });
      // PUT replaces: the MTU key goes away, the description changes.
      await conn.networks.update(bridge, { config: NO_ADDRESSES, description: "replaced" });
      const put = await conn.networks.get(bridge);
      expect(put.config).toEqual(NO_ADDRESSES);
      expect(put.description).toBe("replaced");

      const state = await conn.networks.state(bridge);
      expect(state).toMatchObject({ state: "up", type: "broadcast", addresses: [] });
      expect(state.bridge).toHaveProperty("stp");
      expect(state.counters).toHaveProperty("bytes_received");
      // No addresses, no DHCP: no leases.
      expect(await conn.networks.leases(bridge)).toEqual([]);

      await conn.networks.rename(bridge, renamed);
      const names = await conn.networks.list();
      expect(names).toContain(renamed);
      expect(names).not.toContain(bridge);
      expect(await conn.networks.state(renamed, (s) => s.state)).toBe("up");

      await conn.networks.delete(renamed);
      expect(await conn.networks.list()).not.toContain(renamed);
      await expect(conn.networks.get(renamed)).rejects.toMatchObject({ name: "LxdError", status: 404 });
    });

    it("a page's reads alone (lxdList, lxdGet, lxdListOperations on createLxdBase) give what the client's calls give", async () => {
      const name = `${tag}l`;
      const base = createLxdBase({ remotes: { [transport]: remote }, defaultRemote: transport });
      try {
        await conn.networks.create({ name, type: "bridge", config: NO_ADDRESSES, description: "read alone" });
        const names = await lxdList(base, networksFamily)();
        expect(names).toContain(name);
        expect(names.filter((n) => n.startsWith(tag))).toEqual((await conn.networks.list()).filter((n) => n.startsWith(tag)));
        const objects = await lxdList(base, networksFamily)(undefined, { recursion: true });
        expect(objects.find((n) => n.name === name)).toEqual(await conn.networks.get(name));
        expect(await lxdGet(base, networksFamily)(undefined, name)).toEqual(await conn.networks.get(name));
        await expect(lxdGet(base, networksFamily)(undefined, `${tag}x`)).rejects.toMatchObject({ name: "LxdError", status: 404 });
        // A filter: Incus applies it; LXD would ignore it and answer every network, so it is refused unsent.
        const filtered = lxdList(base, networksFamily)(undefined, { filter: `name eq ${name}` });
        if (await conn.server.supports("api_filtering_extended")) expect(await filtered).toEqual([name]);
        else await expect(filtered).rejects.toMatchObject({ name: "UnsupportedError", extension: "api_filtering_extended" });
        const ops = await lxdListOperations(base)();
        for (const urls of Object.values(ops)) for (const u of urls ?? []) expect(u).toMatch(/^\/1\.0\/operations\/[0-9a-f-]{36}/);
      } finally {
        await conn.networks.delete(name).catch(() => undefined);
        await base.close();
      }
    });

    it("networks.watch() equals a fresh list after create, patch, rename and delete", async () => {
      type Listed = { name?: string; description?: string }[];
      // Other suites change networks on the same daemon meanwhile: this suite's own are compared.
      const mine = (l: Listed) => l.filter((n) => n.name?.startsWith(tag));
      const fresh = async () => mine(await conn.networks.list({ recursion: true }));
      const seen: Listed[] = [];
      const w = conn.networks.watch();
      const reading = (async () => {
        for await (const l of w) seen.push(l);
      })();
      // The first list given after the `from`th that passes `check`.
      const next = async (from: number, check: (l: Listed) => boolean) => {
        const end = Date.now() + 10_000;
        for (;;) {
          const found = seen.slice(from).find(check);
          if (found) return mine(found);
          if (Date.now() > end) throw new Error(`no list matched; last: ${JSON.stringify(seen.at(-1)?.map((n) => n.name))}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const has = (l: Listed, n: string) => l.some((x) => x.name === n);
      try {
        await next(0, () => true);
        let mark = seen.length;
        await conn.networks.create({ name: bridge, config: NO_ADDRESSES });
        expect(await next(mark, (l) => has(l, bridge))).toEqual(await fresh());
        mark = seen.length;
        await conn.networks.patch(bridge, { description: "watched" });
        expect(await next(mark, (l) => l.some((n) => n.name === bridge && n.description === "watched"))).toEqual(await fresh());
        mark = seen.length;
        await conn.networks.rename(bridge, renamed);
        expect(await next(mark, (l) => has(l, renamed) && !has(l, bridge))).toEqual(await fresh());
        mark = seen.length;
        await conn.networks.delete(renamed);
        expect(await next(mark, (l) => !has(l, renamed))).toEqual(await fresh());
      } finally {
        w.close();
        await reading;
      }
    });

    it("deleting or renaming a network a profile uses is LXD's own 400, typed; freed, it goes", async () => {
      await conn.networks.create({ name: bridge, config: NO_ADDRESSES });
      await conn.profiles.create({ name: profile, devices: { eth9: { type: "nic", network: bridge, name: "eth9" } } });
      expect((await conn.networks.get(bridge)).used_by).toContain(`/1.0/profiles/${profile}`);

      const refused = await conn.networks.delete(bridge).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LxdError);
      expect(refused).toMatchObject({ status: 400, lxdMessage: "The network is currently in use", method: "DELETE" });
      const notRenamed = await conn.networks.rename(bridge, renamed).catch((e: unknown) => e);
      expect(notRenamed).toMatchObject({ name: "LxdError", status: 400, lxdMessage: "Network is currently in use" });
      expect(await conn.networks.list()).toContain(bridge);

      await conn.profiles.delete(profile);
      await conn.networks.delete(bridge);
      expect(await conn.networks.list()).not.toContain(bridge);
    });

    it("an ACL: create, list, get, patch, rename, in use by a network, delete", async () => {
      await conn.networks.create({ name: bridge, config: NO_ADDRESSES });
      await conn.networkAcls.create({
        name: acl,
        description: "lxd-fetch",
        egress: [{ action: "allow", state: "enabled", protocol: "tcp", destination_port: "22" }],
      });
      expect(await conn.networkAcls.list()).toContain(acl);
      const listed = await conn.networkAcls.list({ recursion: true });
      expect(listed.find((a) => a.name === acl)?.egress).toEqual([
        { action: "allow", state: "enabled", protocol: "tcp", destination_port: "22" },
      ]);
      await conn.networkAcls.patch(acl, { description: "patched" });
      expect(await conn.networkAcls.get(acl, (a) => a.description)).toBe("patched");

      await conn.networks.patch(bridge, { config: { "security.acls": acl } });
      expect((await conn.networkAcls.get(acl)).used_by).toContain(`/1.0/networks/${bridge}`);
      await expect(conn.networkAcls.delete(acl)).rejects.toMatchObject({
        name: "LxdError",
        status: 500,
        lxdMessage: "Cannot delete an ACL that is in use",
      });
      await conn.networks.patch(bridge, { config: { "security.acls": "" } });

      await conn.networkAcls.rename(acl, `${acl}2`);
      expect(await conn.networkAcls.list()).toContain(`${acl}2`);
      await conn.networkAcls.delete(`${acl}2`);
      expect(await conn.networkAcls.list()).not.toContain(`${acl}2`);
      await conn.networks.delete(bridge);
    });

    it("a DNS zone and a record: create, list, get, delete (names, no addresses)", async () => {
      await conn.networkZones.create({ name: zone, config: {} });
      expect(await conn.networkZones.list()).toContain(zone);
      expect(await conn.networkZones.get(zone)).toMatchObject({ name: zone, used_by: [] });
      await conn.networkZones.records.create(zone, { name: "www", entries: [{ type: "CNAME", value: "x.example.net." }] });
      expect(await conn.networkZones.records.list(zone)).toEqual(["www"]);
      expect(await conn.networkZones.records.get(zone, "www", (r) => r.entries)).toEqual([{ type: "CNAME", value: "x.example.net." }]);
      await conn.networkZones.records.delete(zone, "www");
      expect(await conn.networkZones.records.list(zone)).toEqual([]);
      await conn.networkZones.delete(zone);
      expect(await conn.networkZones.list()).not.toContain(zone);
    });

    it("forwards, peers and load balancers of a bridge with no addresses: empty lists, the driver's refusals typed, UnsupportedError where the extension is missing", async () => {
      await conn.networks.create({ name: bridge, config: NO_ADDRESSES });
      try {
        expect(await conn.networkForwards.list(bridge)).toEqual([]);
        // Only OVN networks peer: the bridge driver's refusal, as LXD words it.
        await expect(conn.networkPeers.list(bridge)).rejects.toMatchObject({
          name: "LxdError",
          status: 400,
          lxdMessage: 'Network driver "bridge" does not support peering',
        });
        const balancers = conn.networkLoadBalancers.list(bridge);
        if (await conn.server.supports("network_load_balancer")) {
          await expect(balancers).rejects.toMatchObject({
            name: "LxdError",
            status: 400,
            lxdMessage: 'Network driver "bridge" does not support load balancers',
          });
        } else {
          // LXD 5.0 has no load balancers: refused before anything is sent.
          const before = sent.length;
          const err = await balancers.catch((e: unknown) => e);
          expect(err).toBeInstanceOf(UnsupportedError);
          expect(err).toMatchObject({ extension: "network_load_balancer", remote: transport });
          expect((err as Error).message).toMatch(/^networkLoadBalancers\.list needs the API extension "network_load_balancer"/);
          expect(sent.slice(before)).toEqual([]);
        }
      } finally {
        await conn.networks.delete(bridge);
      }
    });

    it("bad names and unknown types are InvalidArgumentError with nothing sent", async () => {
      await conn.server.info(); // the extension checks' GET /1.0, asked once, out of the count
      const before = sent.length;
      const bad = ["a/b", "..", "a\0b", ""];
      for (const name of bad) {
        await expect(conn.networks.create({ name, config: NO_ADDRESSES })).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(conn.networks.get(name)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(conn.networks.state(name)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(conn.networks.rename("x", name)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(conn.networkForwards.list(name)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(conn.networkAcls.delete(name)).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await expect(conn.networks.create({ name: bridge, type: "vxlan" as never, config: NO_ADDRESSES })).rejects.toThrow(
        /networks\.create: unknown network type "vxlan" \(LXD knows bridge, macvlan, sriov, ovn, physical\)/,
      );
      await expect(conn.networks.create({ name: bridge, config: { "ipv4.address": false as never } })).rejects.toThrow(/must be a string/);
      expect(sent.slice(before)).toEqual([]);
      expect(await conn.networks.list()).not.toContain(bridge);
    });
  });
});
