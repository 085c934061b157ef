// `config get|set|unset|show` of the server itself (lxc's `config` without an instance): `show`
// prints the server's config as YAML (or --format json); `set` takes `k=v` pairs or `k v`;
// `unset` sets the key empty, which is how LXD removes a server key. `--target` picks a member.
import { UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { keyValues, renderOne } from "./output.js";

/** `[R:]` as the first word names the remote; what follows are the verb's own words. */
function remoteFirst(args: string[], fallback: string | undefined): [string | undefined, string[]] {
  const [first, ...rest] = args;
  if (first?.endsWith(":") && !first.includes("=")) return [first.slice(0, -1) || fallback, rest];
  return [fallback, args];
}

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  const [verb, ...words] = ctx.args;
  const [remote, args] = remoteFirst(words, flags.remote);
  const o = flags.target !== undefined ? { target: flags.target } : {};
  switch (verb) {
    case "show":
      if (args.length > 0) throw new UsageError("config show [R:]");
      out(await renderOne({ config: await lxd.server.config(remote, o) }, flags.format));
      return 0;
    case "get": {
      if (args.length !== 1) throw new UsageError("config get [R:] <key>");
      const value = (await lxd.server.config(remote, o))[args[0]!];
      if (value !== undefined) out(value);
      return 0;
    }
    case "set": {
      const pairs = args.length === 2 && !args[0]!.includes("=") ? [`${args[0]}=${args[1]}`] : args;
      const config = keyValues("set", pairs);
      if (!config) throw new UsageError("config set [R:] <key>=<value>...");
      await lxd.server.patchConfig(remote, config, o);
      return 0;
    }
    case "unset": {
      if (args.length !== 1) throw new UsageError("config unset [R:] <key>");
      await lxd.server.patchConfig(remote, { [args[0]!]: "" }, o);
      return 0;
    }
    default:
      throw new UsageError("config get|set|unset|show … (the server's configuration)");
  }
}
