// `launch`, `list`, `start|stop|restart` and `delete`, as `lxc` has them: each waits for its
// operation, and errors are the library's typed errors.
import type { InstanceFull, Lxd } from "../index.js";
import { splitRemote, UsageError } from "./args.js";
import { json, table } from "./format.js";
import { keyValues } from "./output.js";

export interface InstanceFlags {
  remote?: string | undefined;
  target?: string | undefined;
  config?: string[] | undefined;
  profile?: string[] | undefined;
  force?: boolean | undefined;
  format?: string | undefined;
  project?: string | undefined;
}

const scope = (flags: InstanceFlags) => (flags.project !== undefined ? { project: flags.project } : {});

export async function launch(lxd: Lxd, args: string[], flags: InstanceFlags, err: (s: string) => void): Promise<number> {
  const [imageArg, target] = args;
  if (!imageArg || !target || args.length > 2) throw new UsageError("launch <image> [R:]<name> [--target M] [-c k=v]...");
  const [imageRemote, image] = splitRemote(imageArg);
  const [remote, name] = splitRemote(target);
  const where = remote ?? flags.remote;
  if (imageRemote !== undefined && imageRemote !== (where ?? lxd.defaultRemote))
    throw new UsageError("launch: the image must be on the instance's own server (copying images between remotes is not supported)");
  if (!name) throw new UsageError("launch: the instance needs a name");
  const config = keyValues("-c", flags.config);
  err(`Creating ${name}`);
  await lxd.instances.launch(where, name, image, {
    ...(config && { config }),
    ...(flags.profile?.length && { profiles: flags.profile }),
    ...(flags.target !== undefined && { target: flags.target }),
    ...scope(flags),
  });
  err(`Starting ${name}`);
  return 0;
}

function ipv4(i: InstanceFull): string {
  const out: string[] = [];
  for (const [dev, net] of Object.entries(i.state?.network ?? {})) {
    if (dev === "lo") continue;
    for (const a of net.addresses ?? []) if (a.family === "inet") out.push(`${a.address} (${dev})`);
  }
  return out.join("\n");
}

export async function list(lxd: Lxd, args: string[], flags: InstanceFlags, out: (s: string) => void): Promise<number> {
  const format = flags.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError("--format is table or json");
  const [remote] = splitRemote(args[0]);
  const all = await lxd.instances.list(remote ?? flags.remote, { recursion: 2, ...scope(flags) });
  if (format === "json") return (out(json(all)), 0);
  const rows = all.map((i) => [
    i.name ?? "",
    (i.status ?? "").toUpperCase(),
    ipv4(i),
    (i.type ?? "").toUpperCase(),
    String(i.snapshots?.length ?? 0),
  ]);
  out(table(["NAME", "STATE", "IPV4", "TYPE", "SNAPSHOTS"], rows));
  return 0;
}

/** `start`, `stop`, `restart` (`--force` for the last two): the state change, awaited. */
export async function changeState(lxd: Lxd, action: "start" | "stop" | "restart", args: string[], flags: InstanceFlags): Promise<number> {
  if (args.length === 0) throw new UsageError(`${action} [R:]<name>... [--force]`);
  for (const arg of args) {
    const [remote, name] = splitRemote(arg);
    const change = { action, ...(flags.force && action !== "start" && { force: true }) };
    await (await lxd.instances.setState(remote ?? flags.remote, name, change, scope(flags))).wait();
  }
  return 0;
}

export async function remove(lxd: Lxd, args: string[], flags: InstanceFlags): Promise<number> {
  if (args.length === 0) throw new UsageError("delete [R:]<name>... [--force]");
  for (const arg of args) {
    const [remote, name] = splitRemote(arg);
    await (await lxd.instances.delete(remote ?? flags.remote, name, { ...(flags.force && { force: true }), ...scope(flags) })).wait();
  }
  return 0;
}
