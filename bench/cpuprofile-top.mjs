#!/usr/bin/env node
// Summarises a .cpuprofile (node --cpu-prof): self time per function and total time per
// source file (package or dist chunk), the top N of each, so start-up profiles can be compared.
//   node bench/cpuprofile-top.mjs <file.cpuprofile> [--top 15]
import { readFileSync } from "node:fs";

const file = process.argv[2];
const top = Number(process.argv[process.argv.indexOf("--top") + 1]) || 15;
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
// timeDeltas[i] is the time before samples[i]: attribute it to that sample's node.
prof.samples.forEach((id, i) => {
  dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...dt.values()].reduce((a, b) => a + b, 0);

const where = (url) => {
  if (!url) return "(native/vm)";
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return `npm:${m[1]}`;
  if (url.startsWith("node:"))
    return url.split("/")[0] === "node:internal"
      ? url
          .replace(/^node:internal\//, "node:")
          .split("/")
          .slice(0, 2)
          .join("/")
      : url;
  return url.replace(/^file:\/\/.*\/(dist|src)\//, "$1/");
};
const self = new Map();
const files = new Map();
for (const [id, t] of dt) {
  const n = byId.get(id);
  const f = n.callFrame;
  const name = `${f.functionName || "(anonymous)"} ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  self.set(name, (self.get(name) ?? 0) + t);
  files.set(where(f.url), (files.get(where(f.url)) ?? 0) + t);
}
const show = (title, m) => {
  console.log(`${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${(t / 1000).toFixed(1).padStart(7)} ms  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${file}: ${(total / 1000).toFixed(1)} ms sampled`);
show("self time by file/package:", files);
show("self time by function:", self);
