#!/usr/bin/env node
// Where a browser page's bytes go: one of check-package's apps (scripts/browser-apps.mjs; by
// default the operations + events + exec one), or any page given as its code, bundled as
// check-package bundles them, and for each source file its minified bytes and its marginal gzip
// cost (the page's gzip minus the page's without that file's bytes; the costs do not add up to the
// total, gzip shares repeats across files).
//   npm run bench:bundle [-- --app networks | --page 'import { createLxdBase, lxdExec } from "lxd-fetch"; export const x = lxdExec(createLxdBase());']
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { SourceMapConsumer } from "source-map-js";
import { apps, browserBundle } from "../scripts/browser-apps.mjs";

const root = new URL("..", import.meta.url).pathname;
const arg = (flag) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const app = apps.find(([name]) => name.includes(arg("--app") ?? "operations + events + exec"));
const page = arg("--page") ?? app?.[1];
if (page === undefined) throw new Error(`bench/bundle-breakdown: no app named like ${arg("--app")} (${apps.map(([n]) => n).join("; ")})`);
const result = await build({ ...browserBundle(page, root), sourcemap: "external", outfile: "page.out.js" });
const code = result.outputFiles.find((f) => f.path.endsWith(".js")).text;
const map = new SourceMapConsumer(JSON.parse(result.outputFiles.find((f) => f.path.endsWith(".map")).text));
const gz = (s) => gzipSync(s, { level: 9 }).length;

// Each output character's source file: a mapping owns the characters up to the next one.
const lines = code.split("\n");
const owner = lines.map((l) => new Array(l.length).fill(""));
const mappings = [];
map.eachMapping((m) => mappings.push(m));
mappings.sort((a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn);
mappings.forEach((m, i) => {
  const next = mappings[i + 1];
  const line = m.generatedLine - 1;
  const end = next?.generatedLine === m.generatedLine ? next.generatedColumn : lines[line].length;
  for (let c = m.generatedColumn; c < end; c++) owner[line][c] = m.source ?? "";
});
const without = (file) => lines.map((l, i) => [...l].filter((_, c) => owner[i][c] !== file).join("")).join("\n");
const total = gz(code);
const owners = owner.flat();
const rows = [...new Set(owners)].map((file) => {
  const own = owners.filter((f) => f === file).length;
  return { file: file.replace(/^.*?\/(src|dist)\//, "$1/") || "(unmapped)", min: own, gzip: total - gz(without(file)) };
});
rows.sort((a, b) => b.gzip - a.gzip);
console.log(`page: ${code.length} B min, ${total} B min+gzip`);
console.log("marginal gzip  min  file");
for (const r of rows) console.log(`${String(r.gzip).padStart(14)} ${String(r.min).padStart(5)}  ${r.file}`);
