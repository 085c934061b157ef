// `network list|show|create|delete|rename|get|set|unset|edit|info`, `network acl …` and (in their
// own files) `network forward|load-balancer|peer|zone …`, as lxc
// has them: `create` takes `--type`, `list` leaves out the host's loopback and unknown interfaces
// as lxc does, and `info` prints the network's state in lxc's layout. Rows are sorted by name, as
// lxc sorts them.
import { splitRemote, UsageError } from "./args.js";
import { collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import type { components } from "../generated/lxd.js";

type Network = components["schemas"]["Network"];
type NetworkState = components["schemas"]["NetworkState"];
type NetworkAcl = components["schemas"]["NetworkACL"];

// lxc sorts its rows by name, digits as numbers (eth2 before eth10).
const byName = new Intl.Collator("en", { numeric: true });

export const run = (ctx: CommandContext) => {
  const networks = ctx.lxd.networks;
  const family = {
    ...networks,
    list: async (remote: string | undefined, o: Parameters<typeof networks.list>[1] & { recursion: true }) =>
      (await networks.list(remote, o))
        .filter((n) => n.type !== "loopback" && n.type !== "unknown")
        .sort((a, b) => byName.compare(a.name ?? "", b.name ?? "")),
  };
  return collectionCommand<Network>(
    ctx,
    family,
    {
      word: "network",
      projects: true,
      createBody: ({ flags }) => (flags.type !== undefined ? { type: flags.type } : {}),
      columns: [
        ["NAME", (n) => n.name ?? ""],
        ["TYPE", (n) => n.type ?? ""],
        ["MANAGED", (n) => (n.managed ? "YES" : "NO")],
        ["IPV4", (n) => n.config?.["ipv4.address"] ?? ""],
        ["IPV6", (n) => n.config?.["ipv6.address"] ?? ""],
        ["DESCRIPTION", (n) => n.description ?? ""],
        ["USED BY", (n) => String(n.used_by?.length ?? 0)],
        ["STATE", (n) => (n.status ?? "").toUpperCase()],
      ],
    },
    {
      info,
      acl,
      forward: async (c) => (await import("./network-forward.js")).run(c),
      "load-balancer": async (c) => (await import("./network-load-balancer.js")).run(c),
      peer: async (c) => (await import("./network-peer.js")).run(c),
      zone: async (c) => (await import("./network-zone.js")).run(c),
    },
  );
};

/** `network acl list|show|create|delete|rename|get|set|unset|edit`, as lxc has them. */
const acl = (ctx: CommandContext) =>
  collectionCommand<NetworkAcl>(ctx, ctx.lxd.networkAcls, {
    word: "network acl",
    projects: true,
    columns: [
      ["NAME", (a) => a.name ?? ""],
      ["DESCRIPTION", (a) => a.description ?? ""],
      ["USED BY", (a) => String(a.used_by?.length ?? 0)],
    ],
  });

async function info(ctx: CommandContext): Promise<number> {
  const [remote, name] = splitRemote(ctx.args[0]);
  if (!name || ctx.args.length > 1) throw new UsageError("network info [R:]<name>");
  const project = ctx.flags.project;
  const state = await ctx.lxd.networks.state(remote ?? ctx.flags.remote, name, project !== undefined ? { project } : {});
  ctx.out(stateText(name, state));
  return 0;
}

// lxc's units.GetByteSizeString(n, 2): decimal units, two decimals from 1000 bytes on.
function bytes(n: number | undefined): string {
  let v = n ?? 0;
  if (v < 1000) return `${v}B`;
  for (const unit of ["kB", "MB", "GB", "TB", "PB"]) {
    v /= 1000;
    if (v < 1000) return `${v.toFixed(2)}${unit}`;
  }
  return `${(v / 1000).toFixed(2)}EB`;
}

/** `lxc network info`'s text, section by section as it prints them. */
export function stateText(name: string, s: NetworkState): string {
  const lines = [
    `Name: ${name}`,
    `MAC address: ${s.hwaddr ?? ""}`,
    `MTU: ${s.mtu ?? 0}`,
    `State: ${s.state ?? ""}`,
    `Type: ${s.type ?? ""}`,
  ];
  const section = (title: string, rows: [string, unknown][]) => {
    lines.push("", `${title}:`, ...rows.map(([k, v]) => `  ${k}: ${v}`));
  };
  if (s.addresses?.length) {
    lines.push("", "IP addresses:", ...s.addresses.map((a) => `  ${a.family}\t${a.address}/${a.netmask} (${a.scope})`));
  }
  const c = s.counters;
  section("Network usage", [
    ["Bytes received", bytes(c?.bytes_received)],
    ["Bytes sent", bytes(c?.bytes_sent)],
    ["Packets received", c?.packets_received ?? 0],
    ["Packets sent", c?.packets_sent ?? 0],
  ]);
  const b = s.bond;
  if (b)
    section("Bond", [
      ["Mode", b.mode ?? ""],
      ["Transmit policy", b.transmit_policy ?? ""],
      ["Up delay", b.up_delay ?? 0],
      ["Down delay", b.down_delay ?? 0],
      ["MII Frequency", b.mii_frequency ?? 0],
      ["MII state", b.mii_state ?? ""],
      ["Lower devices", (b.lower_devices ?? []).join(", ")],
    ]);
  const br = s.bridge;
  if (br)
    section("Bridge", [
      ["ID", br.id ?? ""],
      ["STP", br.stp ?? false],
      ["Forward delay", br.forward_delay ?? 0],
      ["Default VLAN ID", br.vlan_default ?? 0],
      ["VLAN filtering", br.vlan_filtering ?? false],
      ["Upper devices", (br.upper_devices ?? []).join(", ")],
    ]);
  if (s.vlan)
    section("VLAN", [
      ["Lower device", s.vlan.lower_device ?? ""],
      ["VLAN ID", s.vlan.vid ?? 0],
    ]);
  if (s.ovn) section("OVN", [["Chassis", s.ovn.chassis ?? ""]]);
  return lines.join("\n");
}
