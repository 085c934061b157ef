#!/usr/bin/env node
// Records the profiles scripts/build-native.mjs lays the executable's bytecode out by
// (scripts/native-order/*.order, Bun's `compile.bytecodeOrder`): which of the bundle's functions a
// run of `exec <container> -- true`, of `operations list` and of
// `file pull <container>/etc/hostname -` used, against the test LXD (.lxd-test/lxd.env,
// scripts/lxd-up.sh), run as bench/cli.mjs runs them. Each only reads; the pull's profile also
// serves `file push`, which shares its code. A profile from an older build still places the
// functions unchanged since; record them again when what these commands run changed much
// (docs/native-cli.md, "The bytecode's layout"):
//   node_modules/.bin/bun scripts/build-native.mjs && node scripts/record-native-order.mjs \
//     && node_modules/.bin/bun scripts/build-native.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLxdEnv } from "./lxd-env.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const native = join(root, "npm", `lxd-fetch-${process.platform}-${process.arch}`, "bin", "lxd-fetch");
const outdir = join(root, "scripts", "native-order");
if (!existsSync(native)) {
  console.error(`record-native-order: no executable at ${native} (node_modules/.bin/bun scripts/build-native.mjs builds it)`);
  process.exit(2);
}
const { env, why } = loadLxdEnv();
if (!env) {
  console.error(`record-native-order: ${why}`);
  process.exit(2);
}

mkdirSync(outdir, { recursive: true });
const runs = [
  ["exec", ["exec", env.container, "--", "true"]],
  ["operations", ["operations", "list"]],
  ["file-pull", ["file", "pull", `${env.container}/etc/hostname`, "-"]],
];
const recorded = [];
for (const [name, args] of runs) {
  const partial = join(outdir, `${name}.order.partial`);
  rmSync(partial, { force: true });
  const r = spawnSync(native, args, {
    encoding: "utf8",
    // stdin is /dev/null as in bench/cli.mjs: the run takes the path the measurements take.
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, BUN_BYTECODE_ORDER_OUT: partial },
  });
  const text = existsSync(partial) ? readFileSync(partial, "utf8") : "";
  rmSync(partial, { force: true });
  if (r.status !== 0 || text === "") {
    // The profiles there stay as they were.
    console.error(`record-native-order: ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    process.exit(1);
  }
  recorded.push([name, text.split("\n").filter((l) => l !== "")]);
}
// A function lies where the first profile that lists it places it, so each later profile keeps
// only the lines the earlier ones lack (their first line is the format's version): the executable
// is the same byte for byte (checked), and the later files keep a tenth of their lines or less.
const seen = new Set();
for (const [name, [version, ...lines]] of recorded) {
  const fresh = lines.filter((l) => !seen.has(l));
  for (const l of lines) seen.add(l);
  const file = join(outdir, `${name}.order`);
  writeFileSync(file, `${[version, ...fresh].join("\n")}\n`);
  console.log(`record-native-order: ${file} (${fresh.length} of ${lines.length} entries)`);
}
