// `project list|show|create|delete|rename|get|set|unset|edit`, as lxc has them.
import { collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import type { components } from "../generated/lxd.js";

const feature = (p: { config?: Record<string, string> }, f: string) => (p.config?.[`features.${f}`] === "true" ? "YES" : "NO");

export const run = (ctx: CommandContext) =>
  collectionCommand<components["schemas"]["Project"]>(ctx, ctx.lxd.projects, {
    word: "project",
    columns: [
      ["NAME", (p) => p.name ?? ""],
      ["IMAGES", (p) => feature(p, "images")],
      ["PROFILES", (p) => feature(p, "profiles")],
      ["STORAGE VOLUMES", (p) => feature(p, "storage.volumes")],
      ["NETWORKS", (p) => feature(p, "networks")],
      ["DESCRIPTION", (p) => p.description ?? ""],
      ["USED BY", (p) => String(p.used_by?.length ?? 0)],
    ],
  });
