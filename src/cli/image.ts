// `lxd-fetch image copy [R:]<image> <R>: …`, as `lxc image copy`: `--mode pull` (the default:
// the target pulls from the source, library mode "direct"), `push` (the source sends it to the
// target) or `relay` (streamed through this client); aliases added with --alias, the source's carried with --copy-aliases, as lxc does.
import type { ImageCopyMode } from "../index.js";
import { splitRemote, UsageError } from "./args.js";
import type { CommandContext } from "./flags.js";

const SHAPE =
  "image copy [R:]<image> <R>: [--alias A]... [--copy-aliases] [--auto-update] [--public] [--mode pull|push|relay] [--target-project P] [--project P]";

const MODES: Record<string, ImageCopyMode> = { pull: "direct", direct: "direct", push: "push", relay: "relay" };

export async function run({ lxd, args, flags, out, err }: CommandContext): Promise<number> {
  const [verb, src, dst, ...more] = args;
  if (verb !== "copy") throw new UsageError(`unknown image command ${JSON.stringify(verb ?? "")}; try copy (${SHAPE})`);
  if (!src || !dst || more.length || !dst.endsWith(":")) throw new UsageError(SHAPE);
  const [from, image] = splitRemote(src);
  const [to] = splitRemote(dst);
  if (!image || !to) throw new UsageError(SHAPE);
  const mode = MODES[flags.mode ?? "pull"];
  if (!mode) throw new UsageError(`--mode is pull, push or relay (${SHAPE})`);
  let last = "";
  const done = await lxd.images.copy(from ?? flags.remote, image, to, {
    mode,
    ...(flags.alias && { aliases: flags.alias }),
    copyAliases: flags["copy-aliases"] === true,
    ...(flags["auto-update"] && { autoUpdate: true }),
    ...(flags.public && { public: true }),
    ...(flags.project !== undefined && { project: flags.project }),
    ...(flags["target-project"] !== undefined && { targetProject: flags["target-project"] }),
    onProgress: (p) => {
      if (!process.stderr.isTTY) return;
      const line = p.text ?? `${p.stage} ${p.percent ?? "?"}%`;
      if (line !== last) process.stderr.write(`\r\x1b[K${(last = line)}`);
    },
  });
  if (last) err("");
  out(`image copied: ${done.fingerprint}${done.aliases.length ? ` (${done.aliases.join(", ")})` : ""}`);
  return 0;
}
