// The verbs of a family that lives under a parent (`network forward … [R:]<network> <listen_address>`,
// `network zone record … [R:]<zone> <record>`): the words are checked against lxc's shapes here, the
// parent is bound, and collection-command.ts runs the verb. LXD renames none of these families.
// `--target` picks the cluster member where lxc takes it (forwards, load balancers).
import { splitRemote, UsageError } from "./args.js";
import { type CommandSpec, collectionCommand, type ConfigFamily } from "./collection-command.js";
import type { CommandContext } from "./flags.js";

type Scope = { project?: string };
/** A remote's name (undefined: the default) or a remote with the cluster member to use. */
type Where = string | undefined | { remote: string; target: string };
type Written = { wait(): Promise<unknown> } | undefined;

/** A nested family's calls (the library's, after the remote): each takes the parent first. */
export interface NestedFamily<T> {
  list(at: Where, parent: string, o: Scope & { recursion: true }): Promise<(T | string)[]>;
  get(at: Where, parent: string, key: string, o: Scope): Promise<T>;
  create(at: Where, parent: string, body: object, o: Scope): Promise<Written>;
  update(at: Where, parent: string, key: string, body: object, o: Scope): Promise<Written>;
  patch(at: Where, parent: string, key: string, fields: { config: Record<string, string> }, o: Scope): Promise<Written>;
  delete(at: Where, parent: string, key: string, o: Scope): Promise<Written>;
}

export interface NestedSpec<T extends object> extends Omit<CommandSpec<T>, "createBody"> {
  /** The parent's and the item's words in usage lines: `<network>`, `<listen_address>`. */
  readonly parent: string;
  readonly item: string;
  /** The create body's field that names the item (`listen_address`, `name`). */
  readonly key: string;
  /** Whether `--target` picks the member (lxc's flag for this family). */
  readonly targets?: boolean;
  /** Extra fields `create` sends, from the command's flags and its words after the item (e.g. a peer's target). */
  readonly createBody?: (ctx: CommandContext, extra: string[]) => object;
  /** Words `create` takes between the item and the `key=value` pairs (a peer's `<target network>`). */
  readonly createWords?: readonly string[];
}

/** Where a nested call goes: the remote given with the parent, else --remote, and --target's member. */
export function whereOf(ctx: CommandContext, remote: string | undefined, targets = false): Where {
  const r = remote ?? ctx.flags.remote;
  if (!targets || ctx.flags.target === undefined) return r;
  return { remote: r ?? ctx.lxd.defaultRemote, target: ctx.flags.target };
}

/** `[R:]<parent>` of a nested command's words. */
export function parentOf(ctx: CommandContext, arg: string | undefined, usage: () => UsageError, targets = false) {
  const [remote, parent] = splitRemote(arg);
  if (!parent) throw usage();
  return { at: whereOf(ctx, remote, targets), parent };
}

/** Runs `<word> <verb> [R:]<parent> …`: lxc's list, show, create, delete, get, set, unset and edit, and `verbs`. */
export async function nestedCommand<T extends object>(
  ctx: CommandContext,
  family: NestedFamily<T>,
  spec: NestedSpec<NoInfer<T>>,
  verbs: Record<string, (ctx: CommandContext) => Promise<number>> = {},
): Promise<number> {
  const [verb, ...args] = ctx.args;
  const own = verb !== undefined ? verbs[verb] : undefined;
  if (own) return own({ ...ctx, args });
  const p = `[R:]<${spec.parent}>`;
  const i = `<${spec.item}>`;
  const extra = (spec.createWords ?? []).map((w) => ` <${w}>`).join("");
  // lxc's shape of each verb: its words and how many it takes (at least, at most).
  const shapes: Record<string, [string, number, number]> = {
    list: [p, 1, 1],
    show: [`${p} ${i}`, 2, 2],
    create: [`${p} ${i}${extra} [key=value...]`, 2 + (spec.createWords?.length ?? 0), Infinity],
    delete: [`${p} ${i}`, 2, 2],
    get: [`${p} ${i} <key>`, 3, 3],
    set: [`${p} ${i} <key>=<value>...`, 3, Infinity],
    unset: [`${p} ${i} <key>`, 3, 3],
    edit: [`${p} ${i}`, 2, 2],
  };
  const shape = verb !== undefined ? shapes[verb] : undefined;
  if (!shape) throw new UsageError(`${spec.word} ${[...Object.keys(shapes), ...Object.keys(verbs)].join("|")} …`);
  const usage = () => new UsageError(`${spec.word} ${verb} ${shape[0]}`);
  if (args.length < shape[1] || args.length > shape[2]) throw usage();
  const { at, parent } = parentOf(ctx, args[0], usage, spec.targets);
  const words = spec.createWords?.length ?? 0;
  const bound: ConfigFamily<T & { name?: string; config?: Record<string, string> }> = {
    list: (_r, o) => family.list(at, parent, o) as Promise<(T & { name?: string })[]>,
    get: (_r, key, o) => family.get(at, parent, key, o),
    create: (_r, { name, ...body }, o) =>
      family.create(at, parent, { ...body, ...spec.createBody?.(ctx, args.slice(2, 2 + words)), [spec.key]: name }, o),
    patch: (_r, key, fields, o) => family.patch(at, parent, key, fields, o),
    update: (_r, key, body, o) => family.update(at, parent, key, body, o),
    rename: () => Promise.reject(usage()),
    delete: (_r, key, o) => family.delete(at, parent, key, o),
  };
  // collection-command.ts reads `[R:]<name>`: the item goes with a remote already bound above
  // (a listen address may hold colons), and `list` gets none.
  const item = args[1] === undefined ? [] : [`_:${args[1]}`];
  const rest = verb === "create" ? args.slice(2 + words) : args.slice(2);
  const { word, columns, projects } = spec;
  return collectionCommand<T & { name?: string; config?: Record<string, string> }>({ ...ctx, args: [verb!, ...item, ...rest] }, bound, {
    word,
    columns,
    ...(projects !== undefined && { projects }),
  });
}
