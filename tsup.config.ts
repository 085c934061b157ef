import { defineConfig } from "tsup";

// openapi-fetch's CJS build has only `exports.default`; bundling it avoids the __toESM interop
// trap of CJS output from a "type": "module" package (toolchain notes §5).
const bundled = ["openapi-fetch", "openapi-typescript-helpers"];

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    platform: "node",
    target: "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    noExternal: bundled,
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
]);
