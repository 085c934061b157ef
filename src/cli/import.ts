// `lxd-fetch import [R:] <FILE|-> [NAME] [--storage POOL]`, as `lxc import`: the backup tarball
// streamed into `POST /1.0/instances` (never whole in memory), a progress line on a terminal.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";
import { counting, progress } from "./progress.js";

const SHAPE = "import [R:] <FILE|-> [NAME] [--storage POOL] [--project P]";

export async function run({ lxd, args, flags, out }: CommandContext): Promise<number> {
  const words = [...args];
  // A first word ending in ":" names the remote (`import cl: backup.tar.gz`).
  const remote = words[0]?.endsWith(":") ? splitRemote(words.shift())[0] : flags.remote;
  const [file, name] = words;
  if (!file || words.length > 2) throw new UsageError(SHAPE);
  const size = file === "-" ? undefined : (await stat(file)).size;
  const input = file === "-" ? process.stdin : createReadStream(file);
  const shown = progress(`import ${file}`, size);
  const counted = Readable.from(counting(shown)(input));
  counted.on("end", () => shown.end());
  const op = await lxd.backups.import(remote, Readable.toWeb(counted) as ReadableStream<Uint8Array>, {
    ...(flags.project !== undefined && { project: flags.project }),
    ...(name !== undefined && { name }),
    ...(flags.storage !== undefined && { pool: flags.storage }),
  });
  await op.wait();
  const created = op.current.resources?.instances?.[0] ?? op.current.resources?.containers?.[0];
  if (created) out(`imported ${decodeURIComponent(created.split("?")[0]!.split("/").pop() ?? "")}`);
  return 0;
}
