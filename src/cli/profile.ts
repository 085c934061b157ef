// `profile list|show|create|delete|rename|get|set|unset|edit`, as lxc has them.
import { collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import type { components } from "../generated/lxd.js";

export const run = (ctx: CommandContext) =>
  collectionCommand<components["schemas"]["Profile"]>(ctx, ctx.lxd.profiles, {
    word: "profile",
    projects: true,
    columns: [
      ["NAME", (p) => p.name ?? ""],
      ["DESCRIPTION", (p) => p.description ?? ""],
      ["USED BY", (p) => String(p.used_by?.length ?? 0)],
    ],
  });
