#!/usr/bin/env node
// Checks the built package the way users load it: require() and import of "lxd-fetch" through
// its exports map, and the browser entry bundled for the browser with no Node built-ins.
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const probe = `
  const lxd = m.createLxd({ remotes: { r: { url: "https://127.0.0.1:8443" } } });
  if (typeof lxd.operations.list !== "function" || typeof m.LxdError !== "function") throw new Error("bad exports");
  lxd.close().then(() => console.log(kind + ": ok"));`;
const node = (args) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();

console.log(node(["-e", `const kind = "require('lxd-fetch')"; const m = require("lxd-fetch"); ${probe}`]));
console.log(node(["--input-type=module", "-e", `const kind = "import 'lxd-fetch'"; const m = await import("lxd-fetch"); ${probe}`]));

// The browser condition of the exports map, bundled as an app would; a Node built-in fails the build.
const result = await build({
  stdin: {
    contents: `import { createLxd } from "lxd-fetch"; export const list = () => createLxd().operations.list();`,
    resolveDir: root,
  },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  metafile: true,
  logLevel: "silent",
}).catch((err) => {
  console.error("browser bundle failed (a Node built-in or server-runtime module reached it?):");
  for (const e of err.errors ?? [err]) console.error(`  ${e.text ?? e.message}`);
  process.exit(1);
});
const inputs = Object.keys(result.metafile.inputs);
const leaked = inputs.filter((i) => /(^|\/)(undici|node:|transport\/node)/.test(i));
if (leaked.length > 0) {
  console.error(`browser bundle contains server-runtime code: ${leaked.join(", ")}`);
  process.exit(1);
}
const code = result.outputFiles[0].contents;
console.log(`browser bundle: ${code.length} B min, ${gzipSync(code, { level: 9 }).length} B min+gzip (${inputs.length} inputs)`);
