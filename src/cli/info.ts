// `info [R:] [--resources]`: the server's description (GET /1.0), or with --resources its
// hardware (GET /1.0/resources), as YAML (or --format json). `--target` picks a cluster member.
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { renderOne } from "./output.js";

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  if (ctx.args.length > 1) throw new UsageError("info [R:] [--resources]");
  const [given, rest] = splitRemote(ctx.args[0]);
  if (rest) throw new UsageError("info [R:] [--resources] (an instance's info is not a command here)");
  const remote = given ?? flags.remote;
  const o = flags.target !== undefined ? { target: flags.target } : {};
  if (flags.resources) out(await renderOne(await lxd.server.resources(remote, o), flags.format));
  else if (flags.target !== undefined) throw new UsageError("info: --target goes with --resources");
  else out(await renderOne(await lxd.server.info(remote, { refresh: true }), flags.format));
  return 0;
}
