// `copy` and `move`, as `lxc copy` / `lxc move` take them: `[R:]<name> [[R:]<name>]` with
// `--mode pull|push|relay`, `--instance-only`, `--refresh`, `--stateless`, `--target M`,
// `--project P` (the source's), `--target-project P`, `-c k=v`, `-p profile`, `--device d,k=v`.
// A progress line on stderr when it is a terminal.
import type { CopyDestination, CopyOptions, MigrationMode, MigrationProgress } from "../index.js";
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";

const MODES = ["pull", "push", "relay"];

function pairs(flag: string, list: string[] | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  for (const entry of list) {
    const i = entry.indexOf("=");
    if (i <= 0) throw new UsageError(`--${flag}: bad key=value pair ${JSON.stringify(entry)}`);
    out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}

/** `--device <device>,<key>=<value>`, as lxc takes it. */
function devices(list: string[] | undefined): Record<string, Record<string, string>> | undefined {
  if (!list) return undefined;
  const out: Record<string, Record<string, string>> = {};
  for (const entry of list) {
    const [device, kv] = [entry.slice(0, entry.indexOf(",")), entry.slice(entry.indexOf(",") + 1)];
    const i = kv.indexOf("=");
    if (!device || entry.indexOf(",") < 0 || i <= 0)
      throw new UsageError(`--device: want <device>,<key>=<value>, not ${JSON.stringify(entry)}`);
    out[device] = { ...out[device], [kv.slice(0, i)]: kv.slice(i + 1) };
  }
  return out;
}

/** The progress line: LXD's own text (`c1: 12.34MB (5.67MB/s)`), redrawn in place on a terminal. */
function progressLine(): { report: (p: MigrationProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    report: (p) => {
      if (!tty || p.side !== "target") return;
      drawn = true;
      process.stderr.write(`\r\x1b[KTransferring instance: ${p.text}`);
    },
    done: () => {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}

export async function run({ lxd, args, flags }: CommandContext, verb: "copy" | "move" = "copy"): Promise<number> {
  const shape = `${verb} [R:]<name> [[R:]<name>] [--mode pull|push|relay] [--instance-only] [--stateless] [--target M] [--target-project P]${verb === "copy" ? " [--refresh]" : ""}`;
  const [source, dest, ...extra] = args;
  if (!source || extra.length > 0) throw new UsageError(`usage: ${shape}`);
  const [fromRemote, name] = splitRemote(source);
  if (!name) throw new UsageError(`${verb}: the source instance name is missing (usage: ${shape})`);
  const [toRemote, toName] = splitRemote(dest);
  if (verb === "copy" && !toName && toRemote === undefined && flags.target === undefined && flags["target-project"] === undefined)
    throw new UsageError(`copy: give a destination name or remote (usage: ${shape})`);
  if (flags.mode !== undefined && !MODES.includes(flags.mode)) throw new UsageError(`--mode is one of ${MODES.join(", ")}`);
  if (verb === "move" && flags.refresh) throw new UsageError("move: --refresh is for copies");
  const from = fromRemote ?? flags.remote;
  const to: CopyDestination = {
    ...((toRemote ?? fromRemote ?? flags.remote) !== undefined && { remote: toRemote ?? fromRemote ?? flags.remote }),
    ...(toName && { name: toName }),
    ...(flags["target-project"] !== undefined
      ? { project: flags["target-project"] }
      : flags.project !== undefined && { project: flags.project }),
    ...(flags.target !== undefined && { target: flags.target }),
  };
  const line = progressLine();
  const config = pairs("config", flags.config);
  const devs = devices(flags.device);
  const options: CopyOptions = {
    ...(flags.mode !== undefined && { mode: flags.mode as MigrationMode }),
    ...(flags["instance-only"] && { instanceOnly: true }),
    ...(flags.stateless && { stateless: true }),
    ...(flags.refresh && { refresh: true }),
    ...(flags.project !== undefined && { project: flags.project }),
    ...(flags.profile && { profiles: flags.profile }),
    ...(config && { config }),
    ...(devs && { devices: devs }),
    onProgress: line.report,
  };
  try {
    await lxd.migration[verb](from, name, to, options);
  } finally {
    line.done();
  }
  return 0;
}
