// `lxd-fetch export [R:]<instance> [FILE|-]`, as `lxc export`: a backup made for the export
// (expiring in a day, as lxc's), streamed to the file (never whole in memory) with a progress
// line on a terminal, and deleted afterwards whatever happened. A failed export removes its file.
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { counting, progress } from "./progress.js";

const SHAPE = "export [R:]<instance> [FILE|-] [--instance-only] [--optimized-storage] [--compression ALG] [--project P]";

export async function run({ lxd, args, flags, err }: CommandContext): Promise<number> {
  if (args.length < 1 || args.length > 2) throw new UsageError(SHAPE);
  const [given, instance] = splitRemote(args[0]);
  if (!instance) throw new UsageError(SHAPE);
  const remote = given ?? flags.remote;
  const file = args[1] ?? "backup.tar.gz";
  const scope = flags.project !== undefined ? { project: flags.project } : {};
  const backup = `lxd-fetch-export-${Date.now().toString(36)}`;
  const created = await lxd.backups.create(remote, instance, backup, {
    ...scope,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...(flags["instance-only"] && { instanceOnly: true }),
    ...(flags["optimized-storage"] && { optimizedStorage: true }),
    ...(flags.compression !== undefined && { compression: flags.compression }),
  });
  try {
    if (process.stderr.isTTY) err(`backing up ${instance}…`);
    await created.wait();
    const out = await lxd.backups.export(remote, instance, backup, scope);
    const body = Readable.fromWeb(out.body as import("node:stream/web").ReadableStream<Uint8Array>);
    try {
      const shown = progress(`export ${instance}`, out.size);
      await pipeline(body, counting(shown), file === "-" ? process.stdout : createWriteStream(file), { end: file !== "-" });
      shown.end();
    } catch (e) {
      if (file !== "-") await rm(file, { force: true });
      throw e;
    }
  } finally {
    await (await lxd.backups.delete(remote, instance, backup, scope).catch(() => undefined))?.wait().catch(() => undefined);
  }
  return 0;
}
