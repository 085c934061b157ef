// `storage list|show|create|delete|get|set|unset|edit|info`, as lxc has them (`storage create
// NAME DRIVER [k=v...]`), and `storage volume …` (storage-volume.ts). LXD has no pool rename:
// `storage rename` is a usage error saying so, nothing is sent.
import { splitRemote, UsageError } from "./args.js";
import { collectionCommand } from "./collection-command.js";
import type { CommandContext } from "./flags.js";
import type { components } from "../generated/lxd.js";
import { keyValues, renderOne } from "./output.js";

type Pool = components["schemas"]["StoragePool"];

/** Bytes as lxc prints them (IEC, two decimals): `3.62GiB`. */
export function iecBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}${units[0]}` : `${v.toFixed(2)}${units[i]}`;
}

/** `/1.0/instances/c1?project=p` → its kind (`instances`) and name (`c1`). */
function usedBy(urls: readonly string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const url of urls ?? []) {
    const [path = ""] = url.split("?");
    const parts = path.replace(/^\/1\.0\//, "").split("/");
    const kind = parts[0] === "storage-pools" ? "volumes" : (parts[0] ?? "");
    (out[kind] ??= []).push(decodeURIComponent(parts.at(-1) ?? ""));
  }
  return out;
}

export function run(ctx: CommandContext): Promise<number> {
  const { lxd, flags, out } = ctx;
  const pools = lxd.storagePools;
  const named = (arg: string | undefined, shape: string): [string | undefined, string] => {
    const [remote, name] = splitRemote(arg);
    if (!name) throw new UsageError(`storage ${shape}`);
    return [remote ?? flags.remote, name];
  };
  return collectionCommand<Pool>(
    ctx,
    {
      list: (r, o) => pools.list(r, o),
      get: (r, n, o) => pools.get(r, n, o),
      create: (r, b, o) => pools.create(r, b, o),
      patch: (r, n, f, o) => pools.patch(r, n, f, o),
      update: (r, n, b, o) => pools.update(r, n, b, o),
      rename: async () => {
        throw new UsageError("storage pools cannot be renamed (LXD has no pool rename)");
      },
      delete: (r, n, o) => pools.delete(r, n, o),
    },
    {
      word: "storage",
      columns: [
        ["NAME", (p) => p.name ?? ""],
        ["DRIVER", (p) => p.driver ?? ""],
        ["SOURCE", (p) => p.config?.source ?? ""],
        ["DESCRIPTION", (p) => p.description ?? ""],
        ["USED BY", (p) => String(p.used_by?.length ?? 0)],
        ["STATE", (p) => p.status?.toUpperCase() ?? ""],
      ],
    },
    {
      // lxc: `storage create [R:]<pool> <driver> [k=v...]`.
      create: async ({ args }) => {
        const shape = "create [R:]<pool> <driver> [key=value...]";
        const [remote, name] = named(args[0], shape);
        const driver = args[1];
        if (!driver || driver.includes("=")) throw new UsageError(`storage ${shape}`);
        const config = keyValues("create", [...(flags.config ?? []), ...args.slice(2)]);
        const written = await pools.create(remote, { name, driver, ...(config && { config }) });
        await written?.wait();
        return 0;
      },
      // lxc: the pool's info and usage, then who uses it.
      info: async ({ args }) => {
        const [remote, name] = named(args[0], "info [R:]<pool>");
        if (args.length > 1) throw new UsageError("storage info [R:]<pool>");
        const [pool, res] = await Promise.all([pools.get(remote, name), pools.resources(remote, name)]);
        const info: Record<string, string> = { description: pool.description ?? "", driver: pool.driver ?? "", name };
        if (res.space?.used !== undefined) info["space used"] = iecBytes(res.space.used);
        if (res.space?.total !== undefined) info["total space"] = iecBytes(res.space.total);
        out(await renderOne({ info, "used by": usedBy(pool.used_by) }, flags.format));
        return 0;
      },
      volume: async (sub) => (await import("./storage-volume.js")).run(sub),
    },
  );
}
