// `network zone list|show|create|delete|get|set|unset|edit` and `network zone record …` (with
// `record entry add|remove`) as lxc has them. LXD renames neither zones nor records.
import { InvalidArgumentError } from "../index.js";
import { UsageError } from "./args.js";
import { collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import { type NestedFamily, nestedCommand, parentOf } from "./nested-command.js";
import type { components } from "../generated/lxd.js";

type Zone = components["schemas"]["NetworkZone"];
type ZoneRecord = components["schemas"]["NetworkZoneRecord"];
type Entry = components["schemas"]["NetworkZoneRecordEntry"];

const VERBS = "list|show|create|delete|get|set|unset|edit|record";

export const run = (ctx: CommandContext) => {
  if (ctx.args[0] === "rename") throw new UsageError(`network zone ${VERBS} …`);
  const zones = ctx.lxd.networkZones;
  return collectionCommand<Zone>(
    ctx,
    { ...zones, rename: () => Promise.reject(new UsageError(`network zone ${VERBS} …`)) },
    {
      word: "network zone",
      projects: true,
      createBody: ({ flags }) => (flags.description !== undefined ? { description: flags.description } : {}),
      columns: [
        ["NAME", (z) => z.name ?? ""],
        ["DESCRIPTION", (z) => z.description ?? ""],
        ["USED BY", (z) => String(z.used_by?.length ?? 0)],
      ],
    },
    { record },
  );
};

const record = (ctx: CommandContext) => {
  const family = ctx.lxd.networkZones.records as unknown as NestedFamily<ZoneRecord>;
  return nestedCommand<ZoneRecord>(
    ctx,
    family,
    {
      word: "network zone record",
      parent: "zone",
      item: "record",
      key: "name",
      projects: true,
      createBody: ({ flags }) => (flags.description !== undefined ? { description: flags.description } : {}),
      columns: [
        ["NAME", (r) => r.name ?? ""],
        ["DESCRIPTION", (r) => r.description ?? ""],
        ["ENTRIES", (r) => String(r.entries?.length ?? 0)],
      ],
    },
    { entry: entry(family) },
  );
};

/** `record entry add [R:]<zone> <record> <type> <value> [--ttl N]` and `record entry remove … <type> <value>`. */
const entry =
  (family: NestedFamily<ZoneRecord>) =>
  async (ctx: CommandContext): Promise<number> => {
    const [sub, ...args] = ctx.args;
    const word = "network zone record entry";
    const usage = () => new UsageError(`${word} ${sub === "remove" ? "remove" : "add"} [R:]<zone> <record> <type> <value>`);
    if (sub !== "add" && sub !== "remove") throw new UsageError(`${word} add|remove …`);
    if (args.length !== 4) throw usage();
    const { at, parent } = parentOf(ctx, args[0], usage);
    const scope = ctx.flags.project !== undefined ? { project: ctx.flags.project } : {};
    const r = await family.get(at, parent, args[1]!, scope);
    const [type, value] = [args[2]!, args[3]!];
    let entries: Entry[];
    if (sub === "add") {
      const ttl = ctx.flags.ttl === undefined ? undefined : Number(ctx.flags.ttl);
      if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0))
        throw new UsageError(`${word} add: --ttl is a whole number of seconds`);
      entries = [...(r.entries ?? []), { type, value, ...(ttl !== undefined && { ttl }) }];
    } else {
      entries = (r.entries ?? []).filter((e) => !(e.type === type && e.value === value));
      if (entries.length === (r.entries ?? []).length) throw new InvalidArgumentError("Couldn't find a matching entry");
    }
    const { name: _n, ...put } = r;
    await (await family.update(at, parent, args[1]!, { ...put, entries }, scope))?.wait();
    return 0;
  };
