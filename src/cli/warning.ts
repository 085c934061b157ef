// `warning list|show|ack|delete`, as lxc has them: `list` hides resolved warnings unless --all.
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { formatOf, render, renderOne } from "./output.js";
import type { Warning } from "../index.js";

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  const [verb, ...args] = ctx.args;
  const scope = flags.project !== undefined ? { project: flags.project } : {};
  const named = (arg: string | undefined, shape: string): [string | undefined, string] => {
    const [remote, uuid] = splitRemote(arg);
    if (!uuid) throw new UsageError(`warning ${shape}`);
    return [remote ?? flags.remote, uuid];
  };
  switch (verb) {
    case "list": {
      if (args.length > 1) throw new UsageError("warning list [R:] [--all] [--project P | --all-projects]");
      const format = formatOf(flags.format);
      const [remote] = splitRemote(args[0]);
      const listed = await lxd.warnings.list(remote ?? flags.remote, {
        recursion: true,
        ...scope,
        ...(flags["all-projects"] && { allProjects: true }),
      });
      const shown = flags.all ? listed : listed.filter((w) => w.status !== "resolved");
      out(
        await render<Warning>(
          shown,
          [
            ["UUID", (w) => w.uuid ?? ""],
            ["TYPE", (w) => w.type ?? ""],
            ["STATUS", (w) => w.status ?? ""],
            ["SEVERITY", (w) => w.severity ?? ""],
            ["COUNT", (w) => String(w.count ?? 0)],
            ["PROJECT", (w) => w.project ?? ""],
            ["ENTITY", (w) => w.entity_url ?? ""],
            ["LAST SEEN", (w) => w.last_seen_at ?? ""],
          ],
          format,
        ),
      );
      return 0;
    }
    case "show": {
      const [remote, uuid] = named(args[0], "show [R:]<uuid>");
      out(await renderOne(await lxd.warnings.get(remote, uuid), flags.format));
      return 0;
    }
    case "ack": {
      const [remote, uuid] = named(args[0], "ack [R:]<uuid>");
      await lxd.warnings.acknowledge(remote, uuid);
      return 0;
    }
    case "delete": {
      if (args.length === 0) throw new UsageError("warning delete [R:]<uuid>...");
      for (const a of args) await lxd.warnings.delete(...named(a, "delete [R:]<uuid>..."));
      return 0;
    }
    default:
      throw new UsageError("warning list|show|ack|delete …");
  }
}
