// The verbs `lxc` gives every configurable family (`profile`, `project`, `network`, `storage`,
// …): list, show, create, delete, rename, get, set, unset and edit, over a family's calls.
// A family command file names its columns and its words and adds only what is special to it.
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { type Column, formatOf, keyValues, render, renderOne } from "./output.js";
import { loadYaml } from "./yaml.js";

type Scope = { project?: string };
/** A write's answer: nothing when done at once, else an operation to wait for. */
type Written = { wait(): Promise<unknown> } | undefined;
type Configurable = { name?: string; config?: Record<string, string> };

/** The calls the verbs need, for one remote (and, for nested families, their parents). */
export interface ConfigFamily<T extends Configurable> {
  /** With `recursion: true` the objects (the typed calls' overloads also admit names, never sent here). */
  list(remote: string | undefined, o: Scope & { recursion: true; allProjects?: boolean }): Promise<(T | string)[]>;
  get(remote: string | undefined, name: string, o: Scope): Promise<T>;
  create(remote: string | undefined, body: { name: string; config?: Record<string, string> } & object, o: Scope): Promise<Written>;
  patch(remote: string | undefined, name: string, fields: { config: Record<string, string> }, o: Scope): Promise<Written>;
  update(remote: string | undefined, name: string, body: object, o: Scope): Promise<Written>;
  rename(remote: string | undefined, name: string, newName: string, o: Scope): Promise<Written>;
  delete(remote: string | undefined, name: string, o: Scope): Promise<Written>;
}

export interface CommandSpec<T extends Configurable> {
  /** The command's word, e.g. `profile`, used in usage errors. */
  readonly word: string;
  readonly columns: readonly Column<T>[];
  /** Whether the family is per project (`--project`, `--all-projects`). */
  readonly projects?: boolean;
  /** Extra fields `create` sends, from the command's flags (e.g. a network's `type`). */
  readonly createBody?: (ctx: CommandContext) => object;
}

const done = async (w: Written) => {
  await w?.wait();
  return 0;
};

/** Runs `<word> <verb> …` for a family; an unknown verb is a usage error naming the known ones. */
export async function collectionCommand<T extends Configurable>(
  ctx: CommandContext,
  family: ConfigFamily<T>,
  spec: CommandSpec<NoInfer<T>>,
  verbs: Record<string, (ctx: CommandContext) => Promise<number>> = {},
): Promise<number> {
  const { flags, out } = ctx;
  const [verb, ...args] = ctx.args;
  const scope: Scope = spec.projects && flags.project !== undefined ? { project: flags.project } : {};
  const usage = (shape: string) => new UsageError(`${spec.word} ${shape}`);
  // `[R:]name`: the remote given with the name, else --remote, else the default.
  const named = (arg: string | undefined, shape: string): [string | undefined, string] => {
    const [remote, name] = splitRemote(arg);
    if (!name) throw usage(shape);
    return [remote ?? flags.remote, name];
  };
  const own = verb !== undefined ? verbs[verb] : undefined;
  if (own) return own({ ...ctx, args });
  switch (verb) {
    case "list": {
      if (args.length > 1) throw usage("list [R:]");
      const format = formatOf(flags.format);
      const [remote] = splitRemote(args[0]);
      const all = await family.list(remote ?? flags.remote, {
        recursion: true,
        ...scope,
        ...(spec.projects && flags["all-projects"] && { allProjects: true }),
      });
      const objects = all.filter((x): x is T => typeof x !== "string");
      out(await render(objects, spec.columns, format));
      return 0;
    }
    case "show": {
      const [remote, name] = named(args[0], "show [R:]<name>");
      out(await renderOne(await family.get(remote, name, scope), flags.format));
      return 0;
    }
    case "create": {
      const [remote, name] = named(args[0], "create [R:]<name> [-c k=v]...");
      const config = keyValues("-c", [...(flags.config ?? []), ...args.slice(1)]);
      return done(await family.create(remote, { ...spec.createBody?.(ctx), name, ...(config && { config }) }, scope));
    }
    case "delete": {
      if (args.length === 0) throw usage("delete [R:]<name>...");
      for (const arg of args) await done(await family.delete(...named(arg, "delete [R:]<name>..."), scope));
      return 0;
    }
    case "rename": {
      const [remote, name] = named(args[0], "rename [R:]<name> <new name>");
      if (!args[1] || args.length > 2) throw usage("rename [R:]<name> <new name>");
      return done(await family.rename(remote, name, args[1], scope));
    }
    case "get": {
      const [remote, name] = named(args[0], "get [R:]<name> <key>");
      if (!args[1] || args.length > 2) throw usage("get [R:]<name> <key>");
      const value = (await family.get(remote, name, scope)).config?.[args[1]];
      if (value !== undefined) out(value);
      return 0;
    }
    case "set": {
      const [remote, name] = named(args[0], "set [R:]<name> <key>=<value>...");
      const rest = args.slice(1);
      // lxc takes both `set N k v` and `set N k=v k2=v2`.
      const pairs = rest.length === 2 && !rest[0]!.includes("=") ? [`${rest[0]}=${rest[1]}`] : rest;
      const config = keyValues("set", pairs);
      if (!config) throw usage("set [R:]<name> <key>=<value>...");
      return done(await family.patch(remote, name, { config }, scope));
    }
    case "unset": {
      const [remote, name] = named(args[0], "unset [R:]<name> <key>");
      if (!args[1] || args.length > 2) throw usage("unset [R:]<name> <key>");
      // PATCH merges, so an unset is a PUT of the object without the key.
      const current = await family.get(remote, name, scope);
      const config = { ...current.config };
      delete config[args[1]];
      return done(await family.update(remote, name, { ...editable(current), config }, scope));
    }
    case "edit": {
      const [remote, name] = named(args[0], "edit [R:]<name> < file.yaml");
      if (process.stdin.isTTY) throw usage("edit reads the new YAML from standard input (edit [R:]<name> < file.yaml)");
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const body = (await loadYaml()).parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw usage("edit: the YAML must be a mapping");
      return done(await family.update(remote, name, editable(body as T), scope));
    }
    default:
      throw usage(`${["list", "show", "create", "delete", "rename", "get", "set", "unset", "edit", ...Object.keys(verbs)].join("|")} …`);
  }
}

// What a PUT takes of a shown object: not the read-only fields LXD adds.
function editable(item: object): object {
  const { name: _n, used_by: _u, status: _s, locations: _l, managed: _m, ...rest } = item as Record<string, unknown>;
  return rest;
}
