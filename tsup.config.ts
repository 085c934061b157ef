import { defineConfig } from "tsup";

// openapi-fetch's CJS build has only `exports.default`; bundling it avoids the __toESM interop
// trap of CJS output from a "type": "module" package (toolchain notes §5). oauth4webapi (the
// OIDC sign-in, src/auth/oidc.ts) is ESM-only: bundled into the server entries (a CJS require
// and Deno's import of a bare name are avoided), left to the app's bundler in the browser's,
// where its `sideEffects: false` lets a page that never signs in drop it whole.
const bundled = ["openapi-fetch", "openapi-typescript-helpers"];
const server = [...bundled, "oauth4webapi"];

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    noExternal: server,
  },
  {
    entry: { browser: "src/browser.ts" },
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    dts: true,
    sourcemap: true,
    noExternal: bundled,
  },
  {
    // Deno and Bun (export conditions `deno`, `bun`): one self-contained ESM file each, no undici.
    // The Bun transport uses Bun's node:fs and node:tls; the Deno one uses only Deno's API.
    entry: { deno: "src/deno.ts", bun: "src/bun.ts" },
    format: ["esm"],
    platform: "neutral",
    target: "es2022",
    dts: true,
    sourcemap: true,
    splitting: false,
    noExternal: server,
    external: ["node:fs", "node:net", "node:tls", "node:stream"],
    removeNodeProtocol: false,
  },
  {
    // The CLI: msw loads only for --mock.
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    // yaml's node build is CommonJS and requires built-ins, which ESM output can't without this.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __lxdRequire } from "node:module";\nconst require = __lxdRequire(import.meta.url);',
    },
    // yaml is bundled into its own chunk, loaded only by `operations show` or a config outside
    // the subset lxc writes (src/cli/lxc-yaml.ts).
    // undici is "bundled" only as the alias below, which loads undici's files at run time.
    noExternal: [...server, "yaml", "undici"],
    external: ["msw", "msw/node"],
    esbuildOptions(options) {
      // undici's index loads far more than the Node transport uses (see src/cli/undici-lean.ts).
      options.alias = { undici: "./src/cli/undici-lean.ts" };
    },
  },
  {
    // lxd-fetch/mock: the virtual LXD as MSW handlers; msw is the user's (a peer dependency).
    entry: { mock: "src/mock/index.ts" },
    format: ["esm"],
    platform: "neutral",
    target: "es2022",
    dts: true,
    sourcemap: true,
    external: ["msw"],
  },
]);
