// Networks on the virtual LXD (src/mock/networks.ts): the family's calls, state and leases, and
// LXD 5.0.2's refusals as the real server gives them (test/integration/networks.test.ts), typed;
// bad input refused before anything is sent; the companion families' missing extensions.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, type LifecycleEvent, LxdError, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { until, useVirtualLxd } from "./support/virtual.js";

const NO_ADDRESSES = { "ipv4.address": "none", "ipv6.address": "none" };

describe("networks on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("create, get, list (names and objects), patch, update, state, leases, rename, delete", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const conn = lxd.remote("v");
    expect(await conn.networks.create({ name: "br0", config: NO_ADDRESSES, description: "d" })).toBeUndefined();
    expect(await conn.networks.get("br0")).toEqual({
      config: NO_ADDRESSES,
      description: "d",
      name: "br0",
      type: "bridge",
      used_by: null,
      managed: true,
      status: "Created",
      locations: ["none"],
    });
    expect(await conn.networks.list()).toEqual(["lo", "eth0", "br0"]);
    const objects = await conn.networks.list({ recursion: true });
    expect(objects.map((n) => [n.name, n.type, n.managed])).toEqual([
      ["lo", "loopback", false],
      ["eth0", "physical", false],
      ["br0", "bridge", true],
    ]);

    await conn.networks.patch("br0", { config: { "bridge.mtu": "1400" } });
    expect((await conn.networks.get("br0")).config).toEqual({ ...NO_ADDRESSES, "bridge.mtu": "1400" });
    const state = await conn.networks.state("br0");
    expect(state).toMatchObject({ addresses: [], mtu: 1400, state: "up", type: "broadcast", bond: null, vlan: null, ovn: null });
    expect(state.bridge).toMatchObject({ id: `8000.${state.hwaddr?.replaceAll(":", "")}`, stp: false, forward_delay: 1500 });
    await conn.networks.update("br0", { config: NO_ADDRESSES, description: "replaced" });
    expect(await conn.networks.get("br0", (n) => [n.config, n.description])).toEqual([NO_ADDRESSES, "replaced"]);
    expect(await conn.networks.state("br0", (s) => s.mtu)).toBe(1500);
    expect(await conn.networks.leases("br0")).toEqual([]);

    await conn.networks.rename("br0", "br1");
    expect([...virtual.networks().keys()]).toEqual(["lo", "eth0", "br1"]);
    await conn.networks.delete("br1");
    expect(await conn.networks.list()).toEqual(["lo", "eth0"]);
  });

  it("a lifecycle event per change, as LXD names them", async () => {
    const { client: lxd } = v.start();
    const sub = lxd.events("v", { types: ["lifecycle"] });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of sub) {
        if (e.type !== "lifecycle") continue;
        const m = (e as LifecycleEvent).metadata;
        seen.push(`${m.action} ${m.source}`);
        if (m.action === "network-deleted") break;
      }
    })();
    await sub.ready;
    await lxd.networks.create("v", { name: "br0", config: NO_ADDRESSES });
    await lxd.networks.patch("v", "br0", { description: "x" });
    await lxd.networks.rename("v", "br0", "br1");
    await lxd.networks.delete("v", "br1");
    await reading;
    sub.close();
    expect(seen).toEqual([
      "network-created /1.0/networks/br0",
      "network-updated /1.0/networks/br0",
      "network-renamed /1.0/networks/br1",
      "network-deleted /1.0/networks/br1",
    ]);
  });

  it("networks.watch() equals a fresh list after create, patch, rename and delete", async () => {
    const { client: lxd } = v.start();
    const fresh = () => lxd.networks.list("v", { recursion: true });
    const seen: { name?: string; description?: string }[][] = [];
    const w = lxd.networks.watch("v");
    const reading = (async () => {
      for await (const l of w) seen.push(l);
    })();
    const next = async (check: (l: { name?: string; description?: string }[]) => boolean) => {
      await until(() => seen.some(check), 5000);
      return [...seen].reverse().find(check);
    };
    const names = (l: { name?: string }[]) => l.map((n) => n.name).join();
    expect(await next((l) => names(l) === "lo,eth0")).toEqual(await fresh());
    await lxd.networks.create("v", { name: "br0", config: NO_ADDRESSES });
    expect(await next((l) => names(l) === "lo,eth0,br0")).toEqual(await fresh());
    await lxd.networks.patch("v", "br0", { description: "x" });
    expect(await next((l) => l.some((n) => n.description === "x"))).toEqual(await fresh());
    await lxd.networks.rename("v", "br0", "br1");
    expect(await next((l) => names(l) === "lo,eth0,br1")).toEqual(await fresh());
    await lxd.networks.delete("v", "br1");
    expect(await next((l) => names(l) === "lo,eth0" && seen.length > 1)).toEqual(await fresh());
    w.close();
    await reading;
  });

  it("a network a profile uses: used_by names it, delete and rename are LXD's 400s, typed", async () => {
    const { client: lxd } = v.start();
    const conn = lxd.remote("v");
    await conn.networks.create({ name: "br0", config: NO_ADDRESSES });
    await conn.profiles.create({ name: "p1", devices: { eth9: { type: "nic", network: "br0", name: "eth9" } } });
    expect((await conn.networks.get("br0")).used_by).toEqual(["/1.0/profiles/p1"]);
    const refused = await conn.networks.delete("br0").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LxdError);
    expect(refused).toMatchObject({ status: 400, lxdMessage: "The network is currently in use" });
    await expect(conn.networks.rename("br0", "br1")).rejects.toMatchObject({ status: 400, lxdMessage: "Network is currently in use" });
    // A change of its config is allowed while in use.
    await conn.networks.patch("br0", { config: { "bridge.mtu": "1400" } });
    await conn.profiles.delete("p1");
    await conn.networks.delete("br0");
    expect(await conn.networks.list()).toEqual(["lo", "eth0"]);
  });

  it("LXD 5.0.2's refusals, typed, with its messages", async () => {
    const { client: lxd } = v.start();
    const conn = lxd.remote("v");
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "created",
        (e: LxdError) => [e.status, e.lxdMessage],
      );
    expect(await refusal(conn.networks.get("nope"))).toEqual([404, "Network not found"]);
    expect(await refusal(conn.networks.delete("nope"))).toEqual([404, "Failed loading network: Network not found"]);
    expect(await refusal(conn.networks.state("nope"))).toEqual([404, 'Network interface "nope" not found']);
    expect(await refusal(conn.networks.leases("nope"))).toEqual([404, "Failed loading network: Network not found"]);
    // The host's own interfaces are listed, not managed: LXD cannot change them.
    expect(await refusal(conn.networks.delete("eth0"))).toEqual([404, "Failed loading network: Network not found"]);
    expect(await refusal(conn.networks.patch("lo", { config: {} }))).toEqual([404, "Failed loading network: Network not found"]);
    expect(await refusal(conn.networks.create({ name: "eth0", config: NO_ADDRESSES }))).toEqual([
      500,
      'Network interface "eth0" already exists',
    ]);
    await conn.networks.create({ name: "br0", config: NO_ADDRESSES });
    expect(await refusal(conn.networks.create({ name: "br0", config: NO_ADDRESSES }))).toEqual([400, "The network already exists"]);
    expect(await refusal(conn.networks.create({ name: "b", config: NO_ADDRESSES }))).toEqual([
      400,
      "Network interface is too short (minimum 2 characters)",
    ]);
    expect(await refusal(conn.networks.create({ name: "netabcdefghijklm", config: NO_ADDRESSES }))).toEqual([
      400,
      "Network interface is too long (maximum 15 characters)",
    ]);
    expect(await refusal(conn.networks.create({ name: "a:b", config: NO_ADDRESSES }))).toEqual([
      400,
      "Network interface contains invalid characters",
    ]);
    // No address given: LXD looks for a free IPv4 subnet, which these machines do not have.
    expect(await refusal(conn.networks.create({ name: "br1" }))).toEqual([
      500,
      "Failed generating auto config: Failed to automatically find an unused IPv4 subnet, manual configuration required",
    ]);
    expect(await refusal(conn.networks.create({ name: "br1", type: "ovn", config: NO_ADDRESSES }))).toEqual([
      500,
      "No allowed uplink networks in project",
    ]);
    expect(await refusal(conn.networks.create({ name: "mv0", type: "macvlan", config: { parent: "nope0" } }))).toEqual([
      500,
      'Parent interface "nope0" not found',
    ]);
    expect(await refusal(conn.networks.patch("br0", { config: { "bogus.key": "1" } }))).toEqual([
      400,
      'Invalid option for network "br0" option "bogus.key"',
    ]);
    expect(await refusal(conn.networks.create({ name: "br2", config: { ...NO_ADDRESSES, bogus: "1" } }))).toEqual([
      400,
      'Invalid option for network "br2" option "bogus"',
    ]);
  });

  it("a macvlan on the host's eth0: no state of its own, no leases (LXD's 404 and 500)", async () => {
    const { client: lxd } = v.start();
    const conn = lxd.remote("v");
    await conn.networks.create({ name: "mv0", type: "macvlan", config: { parent: "eth0" } });
    expect(await conn.networks.get("mv0", (n) => [n.type, n.config])).toEqual(["macvlan", { parent: "eth0" }]);
    await expect(conn.networks.state("mv0")).rejects.toMatchObject({ status: 404, lxdMessage: 'Network interface "mv0" not found' });
    await expect(conn.networks.leases("mv0")).rejects.toMatchObject({ status: 500, lxdMessage: "Not implemented" });
  });

  it("ACLs: create, list, used by a network's security.acls, refused while in use, renamed, deleted; LXD's messages", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const conn = lxd.remote("v");
    const rule = { action: "allow", state: "enabled", protocol: "tcp", destination_port: "22" };
    await conn.networkAcls.create({ name: "web", egress: [rule] });
    expect(await conn.networkAcls.list()).toEqual(["web"]);
    expect(await conn.networkAcls.get("web")).toEqual({
      name: "web",
      description: "",
      egress: [rule],
      ingress: [],
      config: {},
      used_by: [],
    });
    await conn.networks.create({ name: "br0", config: { ...NO_ADDRESSES, "security.acls": "web" } });
    expect(await conn.networkAcls.get("web", (a) => a.used_by)).toEqual(["/1.0/networks/br0"]);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "done",
        (e: LxdError) => [e.status, e.lxdMessage],
      );
    expect(await refusal(conn.networkAcls.delete("web"))).toEqual([500, "Cannot delete an ACL that is in use"]);
    // 400 on a change, 500 on a create: as both real servers answer (test/integration/fidelity.test.ts).
    expect(await refusal(conn.networks.patch("br0", { config: { "security.acls": "nope" } }))).toEqual([
      400,
      'Network ACL "nope" does not exist',
    ]);
    expect(await refusal(conn.networkAcls.get("nope"))).toEqual([404, "Network ACL not found"]);
    expect(await refusal(conn.networkAcls.create({ name: "web" }))).toEqual([400, "The network ACL already exists"]);
    expect(await refusal(conn.networkAcls.create({ name: "x", ingress: [{ action: "bogus", state: "enabled" }] }))).toEqual([
      500,
      "Invalid ingress rule 0: Action must be one of: allow, drop, reject",
    ]);
    expect(await refusal(conn.networkAcls.create({ name: "x", config: { bogus: "1" } }))).toEqual([500, 'Invalid config option "bogus"']);
    await conn.networks.patch("br0", { config: { "security.acls": "" } });
    await conn.networkAcls.rename("web", "web2");
    await conn.networkAcls.delete("web2");
    expect([...virtual.networkAcls().keys()]).toEqual([]);
  });

  it("zones and records: create, get, list, delete; a zone's records go with it; LXD's messages", async () => {
    const { client: lxd } = v.start();
    const conn = lxd.remote("v");
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "done",
        (e: LxdError) => [e.status, e.lxdMessage],
      );
    await conn.networkZones.create({ name: "example.net", config: {} });
    expect(await conn.networkZones.get("example.net")).toEqual({ description: "", config: {}, name: "example.net", used_by: [] });
    await conn.networkZones.records.create("example.net", { name: "www", entries: [{ type: "CNAME", value: "x.example.net." }] });
    expect(await conn.networkZones.records.list("example.net", { recursion: true })).toEqual([
      { description: "", entries: [{ type: "CNAME", value: "x.example.net." }], config: {}, name: "www" },
    ]);
    expect(await refusal(conn.networkZones.create({ name: "example.net" }))).toEqual([400, "The network zone already exists"]);
    expect(await refusal(conn.networkZones.records.create("example.net", { name: "www" }))).toEqual([
      500,
      "UNIQUE constraint failed: networks_zones_records.name",
    ]);
    expect(await refusal(conn.networkZones.records.get("example.net", "nope"))).toEqual([404, "Network zone record not found"]);
    expect(await refusal(conn.networkZones.create({ name: "b.example.net", config: { bogus: "1" } }))).toEqual([
      500,
      'Invalid config option "bogus"',
    ]);
    await conn.networkZones.delete("example.net");
    expect(await refusal(conn.networkZones.records.list("example.net"))).toEqual([404, "Network zone not found"]);
    await conn.networkZones.create({ name: "example.net" });
    expect(await conn.networkZones.records.list("example.net")).toEqual([]);
  });

  it("forwards of a bridge: none; peers: the bridge driver's refusal; an unmanaged network: not found", async () => {
    const { client: lxd } = v.start();
    const conn = lxd.remote("v");
    await conn.networks.create({ name: "br0", config: NO_ADDRESSES });
    expect(await conn.networkForwards.list("br0")).toEqual([]);
    await expect(conn.networkPeers.list("br0")).rejects.toMatchObject({
      status: 400,
      lxdMessage: 'Network driver "bridge" does not support peering',
    });
    await expect(conn.networkForwards.list("eth0")).rejects.toMatchObject({
      status: 404,
      lxdMessage: "Failed loading network: Network not found",
    });
  });

  it("bad names and unknown types are refused before sending", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const conn = lxd.remote("v");
    const before = virtual.requests.length;
    for (const name of ["a/b", "..", "a\0b"]) {
      await expect(conn.networks.create({ name, config: NO_ADDRESSES })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(conn.networks.state(name)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(conn.networks.leases(name)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(conn.networkForwards.list(name)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(conn.networks.create({ name: "br0", type: "vxlan" as never })).rejects.toThrow(/unknown network type "vxlan"/);
    expect(virtual.requests.slice(before)).toEqual([]);
  });

  it("a server without an extension: UnsupportedError naming it, only GET /1.0 sent", async () => {
    const without = LXD_5_0_2_EXTENSIONS.filter((e) => !["network_acl", "network_state"].includes(e));
    const { client: lxd, lxd: virtual } = v.start({ apiExtensions: without });
    const conn = lxd.remote("v");
    const err = await conn.networkAcls.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err).toMatchObject({ extension: "network_acl", remote: "v" });
    await expect(conn.networks.state("lo")).rejects.toMatchObject({ name: "UnsupportedError", extension: "network_state" });
    // LXD 5.0.2 itself has no load balancers.
    await expect(conn.networkLoadBalancers.list("lo")).rejects.toMatchObject({ extension: "network_load_balancer" });
    expect(virtual.requests).toEqual(["GET /1.0"]);
  });
});
