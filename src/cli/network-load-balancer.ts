// `network load-balancer list|show|create|delete|get|set|unset|edit|backend|port|info` as lxc
// (Incus) has them, where the server has the `network_load_balancer` extension; LXD 5.0 lacks it and
// every verb is then the library's UnsupportedError naming it, as one line with exit 1. `backend
// add|remove` and `port add|remove` change the balancer as lxc does, by a PUT of the whole of it.
import { InvalidArgumentError } from "../index.js";
import { UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { type NestedFamily, nestedCommand, parentOf } from "./nested-command.js";
import { portVerbs, writable } from "./network-forward.js";
import { renderOne } from "./output.js";
import type { components } from "../generated/lxd.js";

type Balancer = components["schemas"]["NetworkLoadBalancer"];

export const run = (ctx: CommandContext) => {
  const family = ctx.lxd.networkLoadBalancers as unknown as NestedFamily<Balancer>;
  const word = "network load-balancer";
  return nestedCommand<Balancer>(
    ctx,
    family,
    {
      word,
      parent: "network",
      item: "listen_address",
      key: "listen_address",
      projects: true,
      targets: true,
      createBody: ({ flags }) => (flags.description !== undefined ? { description: flags.description } : {}),
      columns: [
        ["LISTEN ADDRESS", (b) => b.listen_address ?? ""],
        ["DESCRIPTION", (b) => b.description ?? ""],
        ["PORTS", (b) => String(b.ports?.length ?? 0)],
      ],
    },
    {
      port: portVerbs(
        word,
        family as unknown as Parameters<typeof portVerbs>[1],
        "[R:]<network> <listen_address> <protocol> <listen_port(s)> <backend_name>[,<backend_name>...]",
        ([protocol, listen_port, backends], description) => ({
          ...(description !== undefined && { description }),
          protocol,
          listen_port,
          target_backend: (backends ?? "")
            .split(",")
            .map((b) => b.trim())
            .filter(Boolean),
        }),
      ),
      backend: backend(family),
      info: async (c) => {
        const usage = () => new UsageError(`${word} info [R:]<network> <listen_address>`);
        if (c.args.length !== 2) throw usage();
        const { at, parent } = parentOf(c, c.args[0], usage, true);
        const p = c.flags.project !== undefined ? { project: c.flags.project } : {};
        c.out(await renderOne(await c.lxd.networkLoadBalancers.state(at, parent, c.args[1]!, p), c.flags.format));
        return 0;
      },
    },
  );
};

/** `backend add [R:]<network> <listen_address> <backend_name> <target_address> [<target_port(s)>]` and `backend remove … <backend_name>`. */
const backend =
  (family: NestedFamily<Balancer>) =>
  async (ctx: CommandContext): Promise<number> => {
    const [sub, ...args] = ctx.args;
    const word = "network load-balancer backend";
    const scope = ctx.flags.project !== undefined ? { project: ctx.flags.project } : {};
    if (sub === "add") {
      const usage = () => new UsageError(`${word} add [R:]<network> <listen_address> <backend_name> <target_address> [<target_port(s)>]`);
      if (args.length < 4 || args.length > 5) throw usage();
      const { at, parent } = parentOf(ctx, args[0], usage, true);
      const item = await family.get(at, parent, args[1]!, scope);
      const [name, target_address, target_port] = args.slice(2);
      const added = {
        ...(ctx.flags.description !== undefined && { description: ctx.flags.description }),
        name,
        target_address,
        ...(target_port !== undefined && { target_port }),
      };
      const backends = [...(item.backends ?? []), added];
      await (await family.update(at, parent, args[1]!, { ...writable(item), backends }, scope))?.wait();
      return 0;
    }
    if (sub === "remove") {
      const usage = () => new UsageError(`${word} remove [R:]<network> <listen_address> <backend_name>`);
      if (args.length !== 3) throw usage();
      const { at, parent } = parentOf(ctx, args[0], usage, true);
      const item = await family.get(at, parent, args[1]!, scope);
      const backends = (item.backends ?? []).filter((b) => b.name !== args[2]);
      if (backends.length === (item.backends ?? []).length) throw new InvalidArgumentError("No matching backend found");
      await (await family.update(at, parent, args[1]!, { ...writable(item), backends }, scope))?.wait();
      return 0;
    }
    throw new UsageError(`${word} add|remove …`);
  };
