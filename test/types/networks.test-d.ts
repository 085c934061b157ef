// Type tests of the network families, checked by `tsc -p .`, never run: each call typed from its
// paths in the API description, and a wrong body, a wrong or missing path parameter, an unknown
// network type or a call LXD does not have (a forward's rename) does not compile.
import { expectTypeOf } from "vitest";
import type { components } from "../../src/generated/lxd.js";
import {
  createLxdBase,
  type Lxd,
  type LxdOperation,
  lxdGet,
  lxdList,
  lxdListOperations,
  networkForwardsFamily,
  networksFamily,
  networkZoneRecordsFamily,
  type NetworkType,
  type Operation,
  type OperationMap,
  profilesFamily,
} from "../../src/index.js";

type Schemas = components["schemas"];
declare const lxd: Lxd;

export async function networks() {
  const conn = lxd.remote("local").project("p");
  expectTypeOf(await conn.networks.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await conn.networks.list({ recursion: true })).toEqualTypeOf<Schemas["Network"][]>();
  expectTypeOf(await conn.networks.get("br0")).toEqualTypeOf<Schemas["Network"]>();
  expectTypeOf(await lxd.networks.get("local", "br0", (n) => n.type)).toEqualTypeOf<string | undefined>();
  expectTypeOf(await conn.networks.state("br0")).toEqualTypeOf<Schemas["NetworkState"]>();
  expectTypeOf(await conn.networks.leases("br0")).toEqualTypeOf<Schemas["NetworkLease"][]>();
  expectTypeOf(await lxd.networks.state("local", "br0", { project: "p" }, (s) => s.mtu)).toEqualTypeOf<number | undefined>();
  // LXD 5.0 and Incus answer at once; newer servers may run an operation.
  expectTypeOf(await conn.networks.create({ name: "br1", type: "bridge", config: { "ipv4.address": "none" } })).toEqualTypeOf<
    LxdOperation | undefined
  >();
  await conn.networks.create({ name: "br1" });
  await conn.networks.patch("br1", { config: { "bridge.mtu": "1400" } });
  await conn.networks.update("br1", { config: {}, description: "d" });
  await conn.networks.rename("br1", "br2");
  await conn.networks.delete("br2");
  expectTypeOf<NetworkType>().toEqualTypeOf<"bridge" | "macvlan" | "sriov" | "ovn" | "physical">();
  // @ts-expect-error a type neither LXD nor Incus knows
  await conn.networks.create({ name: "br1", type: "vxlan" });
  // @ts-expect-error a new network needs its name
  await conn.networks.create({ type: "bridge" });
  // @ts-expect-error config values are strings
  await conn.networks.patch("br1", { config: { "bridge.mtu": 1400 } });
  // @ts-expect-error a network's name is a string
  await conn.networks.get(1);
  // @ts-expect-error state takes the network's name
  await conn.networks.state();
  // @ts-expect-error rename takes the new name
  await conn.networks.rename("br1");
  // @ts-expect-error the flat form takes the remote first
  await lxd.networks.leases("br0");
}

export async function companions() {
  const conn = lxd.remote("local");
  expectTypeOf(await conn.networkAcls.list({ recursion: true })).toEqualTypeOf<Schemas["NetworkACL"][]>();
  await conn.networkAcls.create({ name: "a1", egress: [{ action: "allow", state: "enabled", protocol: "tcp" }] });
  await conn.networkAcls.rename("a1", "a2");
  // @ts-expect-error an ACL rule is an object
  await conn.networkAcls.create({ name: "a1", egress: ["allow"] });

  expectTypeOf(await conn.networkForwards.get("br0", "192.0.2.1")).toEqualTypeOf<Schemas["NetworkForward"]>();
  expectTypeOf(await conn.networkForwards.list("br0")).toEqualTypeOf<string[]>();
  await conn.networkForwards.create("br0", { listen_address: "192.0.2.1", ports: [] });
  // @ts-expect-error a forward lives on a network: its name comes first
  await conn.networkForwards.get("192.0.2.1");
  // @ts-expect-error LXD cannot rename a forward
  conn.networkForwards.rename;
  // @ts-expect-error a forward's body is a NetworkForwardsPost, not a network
  await conn.networkForwards.create("br0", { name: "f1", type: "bridge" });

  expectTypeOf(await conn.networkLoadBalancers.list("ovn0", { recursion: true })).toEqualTypeOf<Schemas["NetworkLoadBalancer"][]>();
  expectTypeOf(await conn.networkPeers.get("ovn0", "p1")).toEqualTypeOf<Schemas["NetworkPeer"]>();
  // @ts-expect-error the peer's name left out
  await conn.networkPeers.delete("ovn0");

  expectTypeOf(await conn.networkZones.get("example.net")).toEqualTypeOf<Schemas["NetworkZone"]>();
  await conn.networkZones.records.create("example.net", { name: "www", entries: [{ type: "CNAME", value: "x." }] });
  expectTypeOf(await conn.networkZones.records.get("example.net", "www")).toEqualTypeOf<Schemas["NetworkZoneRecord"]>();
  // @ts-expect-error a record's entries are objects
  await conn.networkZones.records.create("example.net", { name: "www", entries: ["x."] });
  // @ts-expect-error LXD cannot rename a zone
  conn.networkZones.rename;
}

// A family's reads alone (lxdList, lxdGet: docs/web-apps.md), typed from its paths as its calls are.
export async function readsAlone() {
  const base = createLxdBase();
  const listNetworks = lxdList(base, networksFamily);
  expectTypeOf(await listNetworks()).toEqualTypeOf<string[]>();
  expectTypeOf(await listNetworks("local", { recursion: true })).toEqualTypeOf<Schemas["Network"][]>();
  expectTypeOf(await listNetworks(lxd.remote("local").project("p").scope, { filter: "name eq br0" })).toEqualTypeOf<string[]>();
  expectTypeOf(await lxdGet(base, networksFamily)("local", "br0")).toEqualTypeOf<Schemas["Network"]>();
  expectTypeOf(await lxdGet(base, networksFamily)(undefined, "br0", (n) => n.managed)).toEqualTypeOf<boolean | undefined>();
  // Parents come first, as on the family's own calls.
  expectTypeOf(await lxdGet(base, networkForwardsFamily)("local", "br0", "192.0.2.1")).toEqualTypeOf<Schemas["NetworkForward"]>();
  expectTypeOf(await lxdList(base, networkZoneRecordsFamily)("local", "example.net", { recursion: true })).toEqualTypeOf<
    Schemas["NetworkZoneRecord"][]
  >();
  expectTypeOf(await lxdList(base, profilesFamily)(undefined, { recursion: true })).toEqualTypeOf<Schemas["Profile"][]>();
  expectTypeOf(await lxdListOperations(base)(undefined, { recursion: true })).toEqualTypeOf<OperationMap<Operation>>();
  // @ts-expect-error the forward's network comes first
  await lxdGet(base, networkForwardsFamily)("local", "192.0.2.1");
  // @ts-expect-error a network's name is a string
  await lxdGet(base, networksFamily)("local", 1);
  // @ts-expect-error recursion is a boolean
  await listNetworks("local", { recursion: 1 });
}
