// `network forward list|show|create|delete|get|set|unset|edit|port` as lxc has them: a forward is
// `[R:]<network> <listen_address>`, `port add` appends a port and `port remove` drops the ports a
// filter matches (one, or all with --force), each a PUT of the forward as lxc sends it.
import { UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { type NestedFamily, nestedCommand, parentOf } from "./nested-command.js";
import type { components } from "../generated/lxd.js";
import { InvalidArgumentError } from "../index.js";

type Forward = components["schemas"]["NetworkForward"];
type Port = { protocol?: string | undefined; listen_port?: string | undefined; [field: string]: unknown };
type WithPorts = { ports?: Port[] | null; [k: string]: unknown };

/** What a PUT takes of a shown forward or load balancer: not the fields LXD adds. */
export function writable(item: object): object {
  const { listen_address: _a, location: _l, ...rest } = item as Record<string, unknown>;
  return rest;
}

/** `port add` and `port remove` of forwards and load balancers: both keep `ports` as lxc does. */
export function portVerbs(
  word: string,
  family: Pick<NestedFamily<WithPorts>, "get" | "update">,
  addShape: string,
  portOf: (words: string[], description: string | undefined) => Port,
): (ctx: CommandContext) => Promise<number> {
  return async (ctx) => {
    const [sub, ...args] = ctx.args;
    if (sub === "add") {
      const n = addShape.split(" ").filter((w) => !w.startsWith("[<")).length;
      const most = addShape.split(" ").length;
      const usage = () => new UsageError(`${word} port add ${addShape}`);
      if (args.length < n || args.length > most) throw usage();
      const { at, parent } = parentOf(ctx, args[0], usage, true);
      const item = await family.get(at, parent, args[1]!, {});
      const ports = [...(item.ports ?? []), portOf(args.slice(2), ctx.flags.description)];
      await (await family.update(at, parent, args[1]!, { ...writable(item), ports }, {}))?.wait();
      return 0;
    }
    if (sub === "remove") {
      const usage = () => new UsageError(`${word} port remove [R:]<network> <listen_address> [<protocol>] [<listen_port(s)>] [--force]`);
      if (args.length < 2 || args.length > 4) throw usage();
      const { at, parent } = parentOf(ctx, args[0], usage, true);
      const item = await family.get(at, parent, args[1]!, {});
      const [protocol, listen] = args.slice(2);
      const matches = (p: Port) =>
        (protocol === undefined || p.protocol === protocol) && (listen === undefined || p.listen_port === listen);
      const all = item.ports ?? [];
      const gone = all.filter(matches);
      if (gone.length === 0) throw new InvalidArgumentError("No matching port(s) found");
      if (gone.length > 1 && !ctx.flags.force) throw new InvalidArgumentError("Multiple ports match. Use --force to remove them all");
      const ports = all.filter((p) => !matches(p));
      await (await family.update(at, parent, args[1]!, { ...writable(item), ports }, {}))?.wait();
      return 0;
    }
    throw new UsageError(`${word} port add|remove …`);
  };
}

export const run = (ctx: CommandContext) => {
  const family = ctx.lxd.networkForwards as unknown as NestedFamily<Forward>;
  return nestedCommand<Forward>(
    ctx,
    family,
    {
      word: "network forward",
      parent: "network",
      item: "listen_address",
      key: "listen_address",
      projects: true,
      targets: true,
      createBody: ({ flags }) => (flags.description !== undefined ? { description: flags.description } : {}),
      columns: [
        ["LISTEN ADDRESS", (f) => f.listen_address ?? ""],
        ["DESCRIPTION", (f) => f.description ?? ""],
        ["DEFAULT TARGET ADDRESS", (f) => f.config?.target_address ?? ""],
        ["PORTS", (f) => String(f.ports?.length ?? 0)],
      ],
    },
    {
      port: portVerbs(
        "network forward",
        family as unknown as NestedFamily<WithPorts>,
        "[R:]<network> <listen_address> <protocol> <listen_port(s)> <target_address> [<target_port(s)>]",
        ([protocol, listen_port, target_address, target_port], description) => ({
          ...(description !== undefined && { description }),
          protocol,
          listen_port,
          target_address,
          ...(target_port !== undefined && { target_port }),
        }),
      ),
    },
  );
};
