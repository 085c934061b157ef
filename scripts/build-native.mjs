#!/usr/bin/env bun
// Builds the CLI as one native executable with Bun (`bun build --compile`): no Node at run time,
// and the start-up of a compiled program (bench/cli.mjs). Run it with Bun (the devDependency):
//   node_modules/.bin/bun scripts/build-native.mjs [--outdir npm/<platform package>/bin]
// It builds for the machine it runs on only: building for another platform needs that
// platform's Bun executable (`--compile-executable-path`), which the release machine of that
// platform has; CI downloads nothing. The result goes into the platform package that
// npm/lxd-fetch-<os>-<cpu>/ lays out (docs/native-cli.md), next to the launcher in bin/.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const platform = `${process.platform}-${process.arch}`;
const outArg = process.argv.indexOf("--outdir");
const outdir = outArg > 0 ? process.argv[outArg + 1] : join(root, "npm", `lxd-fetch-${platform}`, "bin");
const outfile = join(outdir, process.platform === "win32" ? "lxd-fetch.exe" : "lxd-fetch");

const JIT_POLICY = 10;
// Which functions a run of `exec`, of `operations list` and of `file pull` used
// (scripts/record-native-order.mjs), the most common first: their bytecode is laid out together at
// the front of the executable's, so a command pages in less of it (docs/native-cli.md, "The
// bytecode's layout").
const ORDERS = ["exec", "operations", "file-pull"]
  .map((c) => join(root, "scripts/native-order", `${c}.order`))
  .filter((f) => existsSync(f));

if (typeof Bun === "undefined") {
  console.error("scripts/build-native.mjs runs under Bun: node_modules/.bin/bun scripts/build-native.mjs");
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });
const started = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "src/cli-native.ts")],
  compile: {
    outfile,
    // A command run in any folder must not pick up that folder's .env or bunfig.toml.
    autoloadDotenv: false,
    autoloadBunfig: false,
    // JavaScriptCore compiles hot code later than by default (thresholds ×10): a command that
    // makes a few requests spends less on compiling what it runs once (measured: `exec` 3 MiB
    // and `operations list` 1.2 MiB less peak memory). File transfers raise it much further for
    // themselves (transferMode, src/cli/runtime-bun.ts).
    jitPolicy: JIT_POLICY,
    // A profile recorded from an older build still places the functions unchanged since. Without
    // profiles, the bundle's own order.
    bytecodeOrder: ORDERS.length > 0 && ORDERS,
  },
  target: "bun",
  format: "esm",
  // Each command's modules stay their own chunks inside the executable, loaded when used, as in
  // dist/cli.js: `operations list` never parses exec, the YAML parser or the virtual LXD.
  splitting: true,
  minify: true,
  // Bytecode compiled at build time: less to parse at start (measured: 2 MiB less peak for
  // `--help`, 0.6 MiB for `operations list`, and faster).
  bytecode: true,
  sourcemap: "none",
  // undici is only reached under Node (the --mock fallback for a missing global WebSocket).
  external: ["undici"],
  plugins: [
    {
      name: "lxd-fetch-bun-runtime",
      setup(build) {
        // The CLI's client: Bun's transport only (src/cli/runtime-bun.ts); its reads of files and
        // stdio: Bun's own API (src/cli/host-bun.ts).
        build.onResolve({ filter: /^\.\/(runtime|host)\.js$/ }, (args) =>
          dirname(args.importer) === join(root, "src/cli") ? { path: join(root, `src/cli/${args.path.slice(2, -3)}-bun.ts`) } : undefined,
        );
      },
    },
  ],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
chmodSync(outfile, 0o755);
const mib = (statSync(outfile).size / 2 ** 20).toFixed(1);
console.log(
  `build-native: ${outfile} (${platform}, ${mib} MiB, ${ORDERS.length} order profiles) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
