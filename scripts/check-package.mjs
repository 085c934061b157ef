#!/usr/bin/env node
// Checks the built package the way users load it: require() and import of "lxd-fetch" through
// its exports map, and the browser entry bundled for the browser with no Node built-ins.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { apps, browserBundle } from "./browser-apps.mjs";

const root = new URL("..", import.meta.url).pathname;
const probe = `
  const lxd = m.createLxd({ remotes: { r: { url: "https://127.0.0.1:8443" } } });
  if (typeof lxd.operations.list !== "function" || typeof m.LxdError !== "function") throw new Error("bad exports");
  lxd.close().then(() => console.log(kind + ": ok"));`;
const node = (args) => execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" }).trim();

console.log(node(["-e", `const kind = "require('lxd-fetch')"; const m = require("lxd-fetch"); ${probe}`]));
console.log(node(["--input-type=module", "-e", `const kind = "import 'lxd-fetch'"; const m = await import("lxd-fetch"); ${probe}`]));

// The browser condition of the exports map, bundled as the apps of scripts/browser-apps.mjs would
// be: each must carry no
// server-runtime code (a Node built-in fails the build), and the sizes show what tree-shaking
// leaves of the per-capability functions. Each app has a goal (bytes, min+gzip), printed as met or
// not, and a ceiling: today's size with a little room, so that a change that grows a bundle fails
// the check once every other check has run (the sizes: docs/web-apps.md).
// The entry is pre-bundled, so also look inside it for any server runtime's transport.
const serverOnly = /createHttpClient|ws\+unix|checkServerIdentity|buildConnector|from\s*["'](?:undici|node:)|require\(["'](?:undici|node:)/;
const oversized = [];
for (const [name, contents, goal, ceiling] of apps) {
  const result = await build({ ...browserBundle(contents, root), metafile: true }).catch((err) => {
    console.error(`browser bundle "${name}" failed (a Node built-in or server-runtime module reached it?):`);
    for (const e of err.errors ?? [err]) console.error(`  ${e.text ?? e.message}`);
    process.exit(1);
  });
  const inputs = Object.keys(result.metafile.inputs);
  const leaked = inputs.filter((i) => /(^|\/)(undici|node:|transport\/(node|deno|bun))/.test(i));
  if (leaked.length > 0) {
    console.error(`browser bundle "${name}" contains server-runtime code: ${leaked.join(", ")}`);
    process.exit(1);
  }
  const code = result.outputFiles[0].contents;
  const found = new TextDecoder().decode(code).match(serverOnly);
  if (found) {
    console.error(`browser bundle "${name}" contains server-runtime code: ${found[0]}`);
    process.exit(1);
  }
  const gz = gzipSync(code, { level: 9 }).length;
  const verdict = goal === undefined ? "" : gz <= goal ? ` (goal ≤ ${goal / 1000} KB: met)` : ` (goal ≤ ${goal / 1000} KB: NOT MET)`;
  if (gz > ceiling) oversized.push(`browser app "${name}": ${gz} B min+gzip, above its ceiling of ${ceiling} B (goal ${goal ?? "none"})`);
  console.log(`browser app, ${name}: ${(code.length / 1000).toFixed(1)} KB min, ${(gz / 1000).toFixed(1)} KB min+gzip${verdict}`);
}

// The deno and bun export conditions: resolved as a bundler does (esbuild with that condition),
// and as each runtime does (its pinned binary imports "lxd-fetch" by name).
const expectEntries = { deno: "dist/deno.js", bun: "dist/bun.js", node: "dist/index.js" };
for (const [condition, entry] of Object.entries(expectEntries)) {
  const r = await build({
    stdin: { contents: `export * from "lxd-fetch";`, resolveDir: root },
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: condition === "node" ? "node" : "neutral",
    conditions: [condition],
    external: ["node:*", "undici"],
    logLevel: "silent",
  });
  const got = Object.keys(r.metafile.inputs).filter((i) => i.startsWith("dist/"));
  if (got.length !== 1 || got[0] !== entry) {
    console.error(`the "${condition}" condition resolved to ${got.join(", ") || "nothing"}, not ${entry}`);
    process.exit(1);
  }
  console.log(`"${condition}" condition → ${entry}`);
}
// Each server entry imports only what its runtime has: none for Deno; node:fs, node:net and
// node:tls for Bun (its websockets go over node:net/node:tls).
const importsOf = (file) =>
  [...readFileSync(new URL(`../${file}`, import.meta.url), "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
for (const [file, allowed] of [
  ["dist/deno.js", []],
  ["dist/bun.js", ["node:fs", "node:net", "node:tls"]],
]) {
  const extra = importsOf(file).filter((i) => !allowed.includes(i));
  if (extra.length) {
    console.error(`${file} imports ${extra.join(", ")}`);
    process.exit(1);
  }
}
const runtimeProbe = (want) =>
  `const m = await import("lxd-fetch"); if (typeof m.${want} !== "function" || "nodeTransport" in m) throw new Error("wrong entry: " + Object.keys(m).filter((k) => k.endsWith("Transport")));` +
  `const lxd = m.createLxd({ remotes: { r: { url: "https://127.0.0.1:8443" } } }); await lxd.close(); console.log("${want}: ok");`;
for (const [runtime, args, want] of [
  ["deno", ["eval", "--no-lock"], "denoTransport"],
  ["bun", ["-e"], "bunTransport"],
]) {
  const binPath = new URL(`../node_modules/.bin/${runtime}`, import.meta.url).pathname;
  if (!existsSync(binPath)) {
    console.error(`${runtime} is not installed (a devDependency): npm ci`);
    process.exit(1);
  }
  const out = execFileSync(binPath, [...args, runtimeProbe(want)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).trim();
  console.log(`import 'lxd-fetch' in ${runtime}: ${out}`);
}

if (oversized.length > 0) {
  for (const line of oversized) console.error(line);
  process.exit(1);
}
