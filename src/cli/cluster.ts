// `cluster list|show|evacuate|restore` and `cluster group list|show|create|delete|rename|assign`,
// as lxc has them. Evacuating moves every instance off a member, so it wants --force (lxc asks).
import { splitRemote, UsageError } from "./args.js";
import { type ConfigFamily, collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import { formatOf, render, renderOne } from "./output.js";
import type { ClusterGroup, ClusterMember, EvacuationMode } from "../index.js";

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  const [verb, ...args] = ctx.args;
  const named = (arg: string | undefined, shape: string): [string | undefined, string] => {
    const [remote, name] = splitRemote(arg);
    if (!name || args.length !== 1) throw new UsageError(`cluster ${shape}`);
    return [remote ?? flags.remote, name];
  };
  switch (verb) {
    case "list": {
      if (args.length > 1) throw new UsageError("cluster list [R:]");
      const [remote] = splitRemote(args[0]);
      const members = await lxd.cluster.members(remote ?? flags.remote);
      out(
        await render<ClusterMember>(
          members,
          [
            ["NAME", (m) => m.server_name ?? ""],
            ["URL", (m) => m.url ?? ""],
            ["ROLES", (m) => (m.roles ?? []).join("\n")],
            ["ARCHITECTURE", (m) => m.architecture ?? ""],
            ["FAILURE DOMAIN", (m) => m.failure_domain ?? ""],
            ["DESCRIPTION", (m) => m.description ?? ""],
            ["STATE", (m) => (m.status ?? "").toUpperCase()],
            ["MESSAGE", (m) => m.message ?? ""],
          ],
          formatOf(flags.format),
        ),
      );
      return 0;
    }
    case "show": {
      const [remote, name] = named(args[0], "show [R:]<member>");
      out(await renderOne(await lxd.cluster.member(remote, name), flags.format));
      return 0;
    }
    case "evacuate":
    case "restore": {
      const [remote, name] = named(
        args[0],
        `${verb} [R:]<member> --force${verb === "evacuate" ? " [--action stop|migrate|live-migrate]" : ""}`,
      );
      if (!flags.force) throw new UsageError(`cluster ${verb} moves the instances of ${name}: add --force`);
      const op =
        verb === "evacuate"
          ? await lxd.cluster.evacuate(remote, name, flags.action !== undefined ? { mode: flags.action as EvacuationMode } : {})
          : await lxd.cluster.restore(remote, name);
      await op.wait();
      return 0;
    }
    case "group":
      return collectionCommand<ClusterGroup>(
        { ...ctx, args },
        // Groups have no config: get/set/unset answer nothing of use, the other verbs are lxc's.
        lxd.cluster.groups as unknown as ConfigFamily<ClusterGroup>,
        {
          word: "cluster group",
          columns: [
            ["NAME", (g) => g.name ?? ""],
            ["DESCRIPTION", (g) => g.description ?? ""],
            ["MEMBERS", (g) => String(g.members?.length ?? 0)],
          ],
        },
        {
          // `cluster group assign [R:]<member> <group>[,<group>…]`: the member's groups become these.
          assign: async (c) => {
            const [remote, member] = splitRemote(c.args[0]);
            if (!member || !c.args[1] || c.args.length !== 2)
              throw new UsageError("cluster group assign [R:]<member> <group>[,<group>...]");
            await lxd.cluster.setMemberGroups(remote ?? flags.remote, member, c.args[1].split(","));
            return 0;
          },
        },
      );
    default:
      throw new UsageError("cluster list|show|evacuate|restore|group …");
  }
}
