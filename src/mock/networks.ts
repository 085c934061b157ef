// The virtual LXD's networks, on the virtual family (collection.ts), as LXD 5.0.2 answers them on
// the real server (test/integration/networks.test.ts): the host's unmanaged `lo` and `eth0`
// listed but not changeable, managed bridges and macvlans with their state and (no) leases, the
// drivers' refusals, and a network a profile or instance uses kept from deletion and rename.
import { http } from "msw";
import { type Refusal, type VirtualFamily, virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";
import { aclsOf } from "./network-acls.js";

export interface MockNetwork extends VirtualItem {
  description: string;
  type: string;
  managed: boolean;
  hwaddr: string;
}

/** Where the virtual LXD's profiles are kept (profiles.ts), for `used_by`. */
type ProfileDevices = () => Map<string, { name: string; devices: Record<string, Record<string, string>> }>;

const DRIVERS = ["bridge", "macvlan", "sriov", "ovn", "physical"];
// The config keys each driver takes (LXD 5.0's network docs); any other is refused.
const KEYS: Record<string, RegExp> = {
  bridge: /^(?:(?:bridge|dns|fan|ipv4|ipv6|maas|raw|security|tunnel|bgp|user)\.|volatile\.)/,
  macvlan: /^(?:parent|mtu|vlan|gvrp|(?:maas|user)\..+)$/,
  sriov: /^(?:parent|mtu|vlan|(?:maas|user)\..+)$/,
  physical: /^(?:parent|mtu|vlan|gvrp|(?:ipv4|ipv6|dns|ovn|maas|bgp|user)\..+)$/,
};
const GONE = "Failed loading network: Network not found";
const AUTO = "Failed generating auto config: Failed to automatically find an unused IPv4 subnet, manual configuration required";

const hex = () =>
  Math.floor(Math.random() * 256)
    .toString(16)
    .padStart(2, "0");
const newHwaddr = () => `00:16:3e:${hex()}:${hex()}:${hex()}`;

/** The names of the virtual LXD's network ACLs (network-acls.ts), which `security.acls` must name. */
type AclNames = () => Iterable<string>;

export function mockNetworks(ctx: MockContext, profiles: ProfileDevices, acls: AclNames = () => []) {
  const { base, ok, error } = ctx;
  const users = (name: string) => {
    const uses = (devices: Record<string, Record<string, string>>) =>
      Object.values(devices).some((d) => d.type === "nic" && d.network === name);
    return [
      ...[...profiles().values()].filter((p) => uses(p.devices)).map((p) => `/1.0/profiles/${p.name}`),
      ...[...ctx.instances.values()].filter((i) => uses(i.devices)).map((i) => `/1.0/instances/${i.name}`),
    ];
  };
  // An ACL that does not exist: 500 on create, 400 on a change (as LXD 5.0.2 and Incus 6.0.4 answer).
  const badConfig = (name: string, type: string, config: Record<string, string>, aclCode = 500): Refusal | undefined => {
    const bad = Object.keys(config).find((k) => !KEYS[type]?.test(k));
    if (bad !== undefined) return [400, `Invalid option for network "${name}" option "${bad}"`];
    const known = new Set(acls());
    const missing = aclsOf(config).find((a) => !known.has(a));
    return missing === undefined ? undefined : [aclCode, `Network ACL "${missing}" does not exist`];
  };
  const hostParents = () => [...family.items().values()].filter((n) => !n.managed && n.type === "physical").map((n) => n.name);

  const family: VirtualFamily<MockNetwork> = virtualFamily<MockNetwork>(ctx, {
    path: "/1.0/networks",
    lifecycle: "network",
    notFound: GONE,
    exists: (name): Refusal =>
      family.items().get(name)?.managed === false
        ? [500, `Network interface "${name}" already exists`]
        : [400, "The network already exists"],
    create: (b) => {
      const name = String(b.name);
      const type = b.type === undefined ? "bridge" : String(b.type);
      const config = { ...((b.config as Record<string, string> | undefined) ?? {}) };
      // LXD's interface-name rule, in its order: length, then characters.
      if (name.length < 2) return [400, "Network interface is too short (minimum 2 characters)"];
      if (name.length > 15) return [400, "Network interface is too long (maximum 15 characters)"];
      if (!/^[-_a-zA-Z0-9.]+$/.test(name)) return [400, "Network interface contains invalid characters"];
      if (!DRIVERS.includes(type)) return [400, "Unknown driver"];
      if (type === "ovn") return [500, "No allowed uplink networks in project"];
      if (type === "bridge") {
        if (config["ipv4.address"] === undefined) return [500, AUTO];
        // LXD picks a random unique-local /64 for a bridge given no IPv6 address (as it does on
        // the real server), a string only here.
        if (config["ipv6.address"] === undefined)
          Object.assign(config, { "ipv6.address": `fd42:${hex()}${hex()}:${hex()}${hex()}:${hex()}${hex()}::1/64`, "ipv6.nat": "true" });
      } else if (!hostParents().includes(config.parent ?? "")) {
        return [500, `Parent interface "${config.parent ?? ""}" not found`];
      }
      const bad = badConfig(name, type, config);
      if (bad) return bad;
      return {
        name,
        type,
        config,
        description: typeof b.description === "string" ? b.description : "",
        managed: true,
        hwaddr: newHwaddr(),
      };
    },
    refuse: (action, n) => {
      if (!n.managed) return [404, GONE];
      if (action !== "update" && users(n.name).length > 0)
        return [400, action === "delete" ? "The network is currently in use" : "Network is currently in use"];
      return undefined;
    },
    view: (n) => {
      const used = users(n.name);
      const { hwaddr: _, managed, ...rest } = n;
      return {
        config: rest.config,
        description: rest.description,
        name: n.name,
        type: n.type,
        used_by: used.length > 0 ? used : n.type === "loopback" ? [] : null,
        managed,
        status: managed ? "Created" : "",
        locations: managed ? ["none"] : null,
      };
    },
    fixed: ["type", "managed", "status", "locations", "used_by"],
  });
  for (const [name, type] of [
    ["lo", "loopback"],
    ["eth0", "physical"],
  ] as const) {
    family.items().set(name, { name, type, config: {}, description: "", managed: false, hwaddr: type === "loopback" ? "" : newHwaddr() });
  }

  const one = `${base}/1.0/networks/:name`;
  const find = (name: unknown) => family.items().get(String(name));
  // LXD words a missing network differently on GET than on the writes (the family's message).
  const get = http.get(one, ({ params }) => (find(params.name) ? undefined : error(404, "Network not found")));
  // A PUT or PATCH's config is checked against the network's driver, with the network's name.
  const write = (["put", "patch"] as const).map((method) =>
    http[method](one, async ({ request, params }) => {
      const n = find(params.name);
      if (!n?.managed) return undefined;
      const b = (await request
        .clone()
        .json()
        .catch(() => undefined)) as { config?: unknown } | undefined;
      const given = b?.config;
      if (typeof given !== "object" || given === null) return undefined;
      const bad = badConfig(n.name, n.type, method === "patch" ? { ...n.config, ...given } : (given as Record<string, string>), 400);
      return bad ? error(...bad) : undefined;
    }),
  );
  const state = http.get(`${one}/state`, ({ params }) => {
    const n = find(params.name);
    // A macvlan or sriov network has no interface of its own on the host.
    if (!n || (n.managed && n.type !== "bridge")) return error(404, `Network interface "${String(params.name)}" not found`);
    const loopback = n.type === "loopback";
    return ok({
      addresses: loopback
        ? [
            { family: "inet", address: "127.0.0.1", netmask: "8", scope: "local" },
            { family: "inet6", address: "::1", netmask: "128", scope: "local" },
          ]
        : [],
      counters: { bytes_received: 0, bytes_sent: 0, packets_received: 0, packets_sent: 0 },
      hwaddr: n.hwaddr,
      mtu: loopback ? 65536 : Number(n.config["bridge.mtu"] ?? 1500),
      state: "up",
      type: loopback ? "loopback" : "broadcast",
      bond: null,
      bridge:
        n.type === "bridge"
          ? {
              id: `8000.${n.hwaddr.replaceAll(":", "")}`,
              stp: false,
              forward_delay: 1500,
              vlan_default: 0,
              vlan_filtering: false,
              upper_devices: [],
            }
          : null,
      vlan: null,
      ovn: null,
    });
  });
  // The virtual LXD runs no DHCP: a bridge has no leases; LXD has no leases for the other drivers.
  const leases = http.get(`${one}/leases`, ({ params }) => {
    const n = find(params.name);
    if (!n?.managed) return error(404, GONE);
    return n.type === "bridge" ? ok([]) : error(500, "Not implemented");
  });
  // Only OVN networks peer or balance load: every call of those families on another is refused
  // (forwards: network-forwards.ts).
  const managed = (name: unknown) => {
    const n = find(name);
    return n?.managed ? n : undefined;
  };
  const unsupported = (what: string, noun: string) =>
    (["get", "post", "put", "patch", "delete"] as const).flatMap((m) =>
      [`${one}/${what}`, `${one}/${what}/:item`, `${one}/${what}/:item/state`].map((path) =>
        http[m](path, ({ params }) => {
          const n = managed(params.name);
          return n ? error(400, `Network driver "${n.type}" does not support ${noun}`) : error(404, GONE);
        }),
      ),
    );
  return {
    ...family,
    handlers: [
      get,
      ...write,
      state,
      leases,
      ...unsupported("peers", "peering"),
      ...unsupported("load-balancers", "load balancers"),
      ...family.handlers,
    ],
  };
}
