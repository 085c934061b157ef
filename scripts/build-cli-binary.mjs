#!/usr/bin/env bun
// Compiles the CLI (src/cli.ts) into one executable with Bun, and lays it out as the per-platform
// npm package that lxd-fetch's bin runs when it is installed (bin/lxd-fetch.cjs,
// bin/install.cjs). A Node process starts in ~40 MiB before it runs a line; Bun starts in ~20,
// which is what brings the CLI near `lxc` (docs/cli-startup.md has the measurements).
//   bun scripts/build-cli-binary.mjs [--target bun-linux-arm64 --bun path/to/that/bun]
// Output: binaries/lxd-fetch-<os>-<cpu>/{package.json,bin/lxd-fetch}; `npm publish` that folder.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

if (!globalThis.Bun) throw new Error("build-cli-binary: run it with bun (npm run build:binary)");
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// Another platform needs that platform's bun executable (from its npm package, e.g.
// @oven/bun-linux-arm64); Bun would otherwise download it.
const target = arg("--target");
const executablePath = arg("--bun");
const [os, cpu] = target ? target.replace(/^bun-/, "").split("-") : [process.platform, process.arch];

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
const name = `${pkg.name}-${os}-${cpu}`;
const dir = `${root}binaries/${name}`;
rmSync(dir, { recursive: true, force: true });
mkdirSync(`${dir}/bin`, { recursive: true });

const result = await Bun.build({
  entrypoints: [`${root}src/cli.ts`],
  compile: { outfile: `${dir}/bin/lxd-fetch`, ...(target && { target }), ...(executablePath && { executablePath }) },
  minify: true,
  sourcemap: "none",
  // One module per lazily imported CLI part, as in dist/: without it every part is parsed at start
  // (`--help` 44 MiB instead of 33, bench/cli.mjs).
  splitting: true,
  plugins: [
    {
      // The CLI picks its runtime's library entry (src/cli/runtime.ts); in this executable that is
      // always Bun's, so Node's (undici) and Deno's are left out.
      name: "bun-entry-only",
      setup(build) {
        build.onResolve({ filter: /^\.\.\/(index|deno)\.js$/ }, (a) =>
          a.importer.endsWith("/cli/runtime.ts") ? { path: a.path, namespace: "other-runtime" } : undefined,
        );
        build.onLoad({ filter: /.*/, namespace: "other-runtime" }, () => ({
          contents: 'export function createLxd() { throw new Error("this executable runs under Bun only"); }',
          loader: "js",
        }));
      },
    },
  ],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}

writeFileSync(
  `${dir}/package.json`,
  `${JSON.stringify(
    {
      name,
      version: pkg.version,
      description: `The lxd-fetch command line compiled for ${os}-${cpu} (Bun ${Bun.version}); lxd-fetch's bin runs it`,
      license: pkg.license,
      os: [os],
      cpu: [cpu],
      ...(os === "linux" && { libc: ["glibc"] }),
      files: ["bin/lxd-fetch"],
      preferUnplugged: true,
    },
    null,
    2,
  )}\n`,
);
console.log(`${dir}/bin/lxd-fetch (${name} ${pkg.version})`);
