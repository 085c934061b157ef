// Reads .lxd-test/lxd.env (written by scripts/lxd-up.sh) for the benchmarks.
import { spawnSync } from "node:child_process";
import { loadLxdEnv } from "../scripts/lxd-env.mjs";

export function lxdEnv() {
  const { env, why } = loadLxdEnv();
  if (!env) {
    console.error(`bench: ${why}`);
    process.exit(2);
  }
  return { ...env, tls: { ca: env.serverCert, cert: env.clientCert, key: env.clientKey } };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Drops a compiled program from the page cache (GNU dd's nocache advice), unless --keep-cache: a
 * file just written sits there in large folios, each mapped whole, so a fresh build's peak RSS
 * reads up to 5 MiB higher than the same bytes read from disk (docs/files-memory.md, "A trap when
 * measuring the executable"). Written back first (coreutils' `sync FILE`): the advice leaves dirty
 * pages, which a build just written still has. Once is enough: a run reads it back from disk.
 * False when it failed.
 */
export const dropFromPageCache = (file) =>
  process.argv.includes("--keep-cache") ||
  (spawnSync("sync", [file]).status === 0 && spawnSync("dd", [`if=${file}`, "iflag=nocache", "count=0", "status=none"]).status === 0);
