// `storage volume list|show|create|delete|rename|get|set|unset|edit|copy|move|snapshot|restore`,
// as lxc has them: a volume is `[type/]name` (custom by default, `container/c1`), a snapshot
// `name/snapshot`; copy and move take `<pool>/<volume>` on both sides, on one server.
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import type { components } from "../generated/lxd.js";
import { VOLUME_TYPES, type VolumeType } from "../index.js";
import { type Column, formatOf, keyValues, render, renderOne } from "./output.js";
import { loadYaml } from "./yaml.js";

type Volume = components["schemas"]["StorageVolume"];
type Written = { wait(): Promise<unknown> } | undefined;

const COLUMNS: readonly Column<Volume>[] = [
  ["TYPE", (v) => (v.name?.includes("/") ? `${v.type ?? ""} (snapshot)` : (v.type ?? ""))],
  ["NAME", (v) => v.name ?? ""],
  ["DESCRIPTION", (v) => v.description ?? ""],
  ["CONTENT-TYPE", (v) => v.content_type ?? ""],
  ["USED BY", (v) => String(v.used_by?.length ?? 0)],
];

const done = async (w: Written) => {
  await w?.wait();
  return 0;
};

/** `[type/]name[/snapshot]` → its type (custom unless named), name and snapshot. */
export function volumeRef(ref: string): { type: VolumeType; name: string; snapshot?: string } {
  const parts = ref.split("/");
  const typed = parts.length > 1 && (VOLUME_TYPES as readonly string[]).includes(parts[0]!);
  const [name = "", snapshot, ...extra] = typed ? parts.slice(1) : parts;
  if (!name || extra.length > 0 || snapshot === "")
    throw new UsageError(`storage volume: ${JSON.stringify(ref)} is not [type/]<volume>[/<snapshot>]`);
  return { type: typed ? (parts[0] as VolumeType) : "custom", name, ...(snapshot !== undefined && { snapshot }) };
}

// What a PUT takes of a shown volume: not the read-only fields LXD adds.
function editable(v: object): object {
  const {
    name: _n,
    type: _t,
    used_by: _u,
    location: _l,
    content_type: _c,
    pool: _p,
    project: _j,
    created_at: _a,
    ...rest
  } = v as Record<string, unknown>;
  return rest;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  const v = lxd.storageVolumes;
  const [verb, ...args] = ctx.args;
  const scope = flags.project !== undefined ? { project: flags.project } : {};
  const usage = (shape: string) => new UsageError(`storage volume ${shape}`);
  // `[R:]<pool>`: the remote given with the pool, else --remote.
  const pool = (arg: string | undefined, shape: string): [string | undefined, string] => {
    const [remote, name] = splitRemote(arg);
    if (!name) throw usage(shape);
    return [remote ?? flags.remote, name];
  };
  // `[R:]<pool> <volume>`, exactly `n` words in all.
  const target = (shape: string, n: number) => {
    if (args.length !== n) throw usage(shape);
    const [remote, p] = pool(args[0], shape);
    return { remote, pool: p, ...volumeRef(args[1] ?? "") };
  };
  // `[R:]<pool>/<volume>` of copy and move.
  const pooled = (arg: string | undefined, shape: string) => {
    const [remote, rest] = splitRemote(arg);
    const i = rest.indexOf("/");
    if (i <= 0) throw usage(shape);
    return { remote: remote ?? flags.remote, pool: rest.slice(0, i), ...volumeRef(rest.slice(i + 1)) };
  };

  switch (verb) {
    case "list": {
      if (args.length !== 1) throw usage("list [R:]<pool>");
      const [remote, p] = pool(args[0], "list [R:]<pool>");
      const all = await v.list(remote, p, { recursion: true, ...scope, ...(flags["all-projects"] && { allProjects: true }) });
      // As lxc sorts them: by type (snapshots after their type), then name.
      const key = (x: Volume) => `${COLUMNS[0]![1](x)}\0${x.name ?? ""}`;
      out(
        await render(
          [...all].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)),
          COLUMNS,
          formatOf(flags.format),
        ),
      );
      return 0;
    }
    case "show": {
      const t = target("show [R:]<pool> [type/]<volume>[/<snapshot>]", 2);
      const shown = t.snapshot
        ? await v.snapshots.get(t.remote, t.pool, t.type, t.name, t.snapshot, scope)
        : await v.get(t.remote, t.pool, t.type, t.name, scope);
      out(await renderOne(shown, flags.format));
      return 0;
    }
    case "create": {
      const shape = "create [R:]<pool> <volume> [key=value...] [--type filesystem|block]";
      if (args.length < 2) throw usage(shape);
      const [remote, p] = pool(args[0], shape);
      const ref = volumeRef(args[1]!);
      if (ref.snapshot !== undefined || ref.type !== "custom") throw usage(shape);
      const config = keyValues("create", [...(flags.config ?? []), ...args.slice(2)]);
      const body = {
        name: ref.name,
        type: "custom",
        ...(config && { config }),
        ...(flags.type !== undefined && { content_type: flags.type }),
      };
      return done(await v.create(remote, p, "custom", body, scope));
    }
    case "delete": {
      const t = target("delete [R:]<pool> [type/]<volume>[/<snapshot>]", 2);
      if (t.snapshot) return done(await v.snapshots.delete(t.remote, t.pool, t.type, t.name, t.snapshot, scope));
      return done(await v.delete(t.remote, t.pool, t.type, t.name, scope));
    }
    case "rename": {
      const shape = "rename [R:]<pool> <old>[/<snapshot>] <new>[/<snapshot>]";
      if (args.length !== 3) throw usage(shape);
      const t = { ...target(shape, 3) };
      const to = volumeRef(args[2]!);
      if (t.snapshot !== undefined) {
        if (to.name !== t.name || to.snapshot === undefined) throw usage(shape);
        return done(await v.snapshots.rename(t.remote, t.pool, t.type, t.name, t.snapshot, to.snapshot, scope));
      }
      if (to.snapshot !== undefined) throw usage(shape);
      return done(await v.rename(t.remote, t.pool, t.type, t.name, to.name, scope));
    }
    case "get": {
      const shape = "get [R:]<pool> <volume> <key>";
      if (args.length !== 3) throw usage(shape);
      const t = target(shape, 3);
      const value = (await v.get(t.remote, t.pool, t.type, t.name, scope)).config?.[args[2]!];
      if (value !== undefined) out(value);
      return 0;
    }
    case "set": {
      const shape = "set [R:]<pool> <volume> <key>=<value>...";
      if (args.length < 3) throw usage(shape);
      const [remote, p] = pool(args[0], shape);
      const ref = volumeRef(args[1]!);
      const rest = args.slice(2);
      const pairs = rest.length === 2 && !rest[0]!.includes("=") ? [`${rest[0]}=${rest[1]}`] : rest;
      const config = keyValues("set", pairs);
      if (!config) throw usage(shape);
      return done(await v.patch(remote, p, ref.type, ref.name, { config }, scope));
    }
    case "unset": {
      const shape = "unset [R:]<pool> <volume> <key>";
      if (args.length !== 3) throw usage(shape);
      const t = target(shape, 3);
      // PATCH merges, so an unset is a PUT of the volume without the key.
      const current = await v.get(t.remote, t.pool, t.type, t.name, scope);
      const config = { ...current.config };
      delete config[args[2]!];
      return done(await v.update(t.remote, t.pool, t.type, t.name, { ...editable(current), config }, scope));
    }
    case "edit": {
      const t = target("edit [R:]<pool> <volume> < file.yaml", 2);
      if (process.stdin.isTTY) throw usage("edit reads the new YAML from standard input (edit [R:]<pool> <volume> < file.yaml)");
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const body = (await loadYaml()).parse(Buffer.concat(chunks).toString("utf8")) as unknown;
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw usage("edit: the YAML must be a mapping");
      return done(await v.update(t.remote, t.pool, t.type, t.name, editable(body), scope));
    }
    case "copy":
    case "move": {
      const shape = `${verb} [R:]<pool>/<volume> [R:]<pool>/<volume>${verb === "copy" ? " [--volume-only]" : ""} [--mode pull|push|relay]`;
      if (args.length !== 2) throw usage(shape);
      const from = pooled(args[0], shape);
      const to = pooled(args[1], shape);
      if (from.snapshot !== undefined || to.snapshot !== undefined) throw usage(shape);
      // Two remotes: LXD's migration between the servers (pull by default, as lxc).
      const across = from.remote !== to.remote;
      if (!across && flags.mode !== undefined) throw usage(`${verb}: --mode is for a copy between two remotes`);
      if (flags.mode !== undefined && !["pull", "push", "relay"].includes(flags.mode))
        throw usage(`${verb}: --mode is pull, push or relay`);
      const dest = { pool: to.pool, name: to.name, ...(across && { remote: to.remote }) };
      const options = {
        ...scope,
        ...(flags.mode !== undefined && { mode: flags.mode as "pull" | "push" | "relay" }),
        ...(verb === "copy" && flags["volume-only"] && { volumeOnly: true }),
      };
      if (verb === "copy") return done(await v.copy(from.remote, from.pool, from.type, from.name, dest, options));
      return done(await v.move(from.remote, from.pool, from.type, from.name, dest, options));
    }
    case "snapshot": {
      const shape = "snapshot [R:]<pool> <volume> [<snapshot>]";
      if (args.length < 2 || args.length > 3) throw usage(shape);
      const [remote, p] = pool(args[0], shape);
      const ref = volumeRef(args[1]!);
      // lxc's default name: the first free snapN.
      let name = args[2];
      if (name === undefined) {
        const taken = new Set(await v.snapshots.list(remote, p, ref.type, ref.name, scope));
        let i = 0;
        while (taken.has(`snap${i}`)) i++;
        name = `snap${i}`;
      }
      return done(await v.snapshots.create(remote, p, ref.type, ref.name, name, scope));
    }
    case "restore": {
      const shape = "restore [R:]<pool> <volume> <snapshot>";
      if (args.length !== 3) throw usage(shape);
      const t = target(shape, 3);
      return done(await v.snapshots.restore(t.remote, t.pool, t.type, t.name, args[2]!, scope));
    }
    default:
      throw usage("list|show|create|delete|rename|get|set|unset|edit|copy|move|snapshot|restore …");
  }
}
