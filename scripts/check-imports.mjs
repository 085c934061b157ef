#!/usr/bin/env node
// The layers of src/ and their one direction: entries → connection → capabilities → streams →
// request pipeline → transports → auth (sign-in sessions) → utils and types. A file may import
// from its own layer or a lower one, type-only imports included, and no import circle may form
// (docs/architecture.md).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const src = join(root, "src");
// Lowest first. A path's layer is the first prefix it starts with; the rest of src/ is the entries.
const LAYERS = [
  ["generated", "generated/"],
  ["types", "types/"],
  ["utils", "utils/"],
  ["auth", "auth/"],
  ["transport", "transport/"],
  ["request", "request/"],
  ["streams", "streams/"],
  ["capabilities", "capabilities/"],
  ["connection", "connection/"],
  ["mock", "mock/"],
  ["entries", ""],
  ["cli", "cli"], // src/cli.ts and src/cli/
];
const layerOf = (file) => {
  const rel = relative(src, file);
  let best = LAYERS.findIndex(([, p]) => p === "");
  for (const [i, [, prefix]] of LAYERS.entries()) if (prefix && rel.startsWith(prefix)) best = i;
  return best;
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;
const files = walk(src);
const graph = new Map();
const problems = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = normalize(join(dirname(file), spec)).replace(/\.js$/, ".ts");
    deps.push(target);
    // The CLI's dynamic imports of the mock are its own business; a lower layer never looks up.
    if (layerOf(target) > layerOf(file) && !(LAYERS[layerOf(file)][0] === "cli")) {
      problems.push(
        `${relative(root, file)} (${LAYERS[layerOf(file)][0]}) imports ${relative(root, target)} (${LAYERS[layerOf(target)][0]}), a higher layer`,
      );
    }
  }
  graph.set(file, deps);
}

// Circles: Tarjan's strongly connected components over every import, type-only ones included.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function strong(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(relative(root, w));
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) problems.push(`import circle: ${component.sort().join(" ↔ ")}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) strong(v);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`imports: ${files.length} files, no circle, every import within its layer or below`);
