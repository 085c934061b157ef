// `network peer list|show|create|delete|get|set|unset|edit` as lxc has them: a peering is
// `[R:]<network> <peer_name>`, created towards `[<target project>/]<target network>`. Only OVN
// networks peer: a bridge's peers are LXD's refusal, as one line with exit 1.
import type { CommandContext } from "./flags.js";
import { type NestedFamily, nestedCommand } from "./nested-command.js";
import type { components } from "../generated/lxd.js";

type Peer = components["schemas"]["NetworkPeer"];

/** `[<project>/]<network>` → the create body's target fields. */
function targetOf(target: string): { target_project?: string; target_network: string } {
  const i = target.indexOf("/");
  return i < 0 ? { target_network: target } : { target_project: target.slice(0, i), target_network: target.slice(i + 1) };
}

export const run = (ctx: CommandContext) =>
  nestedCommand<Peer>(ctx, ctx.lxd.networkPeers as unknown as NestedFamily<Peer>, {
    word: "network peer",
    parent: "network",
    item: "peer_name",
    key: "name",
    projects: true,
    createWords: ["[target project/]target_network"],
    createBody: ({ flags }, [target]) => ({
      ...targetOf(target ?? ""),
      ...(flags.description !== undefined && { description: flags.description }),
      ...(flags.type !== undefined && { type: flags.type }),
    }),
    columns: [
      ["NAME", (p) => p.name ?? ""],
      ["DESCRIPTION", (p) => p.description ?? ""],
      ["PEER", (p) => (p.target_project && p.target_network ? `${p.target_project}/${p.target_network}` : "Unknown")],
      ["STATE", (p) => (p.status ?? "").toUpperCase()],
    ],
  });
