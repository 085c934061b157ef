// The YAML subset `lxc` writes for config.yml (nested block mappings of plain scalars, `{}`),
// read without the YAML package: importing that parser costs about a tenth of the CLI's start-up.
// Anything outside the subset (quotes, lists, anchors, comments, tabs…) returns undefined and
// the caller uses the full parser, so no document is ever read differently.

type Value = string | number | boolean | null | Mapping;
interface Mapping {
  [key: string]: Value;
}

const LINE = /^( *)([A-Za-z0-9_./-]+):(?: (.*))?$/;
// A plain scalar that means the same string in every YAML reading: no indicator first, no
// comment or mapping separator inside, no surrounding space.
const PLAIN = /^[A-Za-z0-9_./\\=+-](?:[^#:]|:(?! |$))*$/;

function scalar(v: string): Value | undefined {
  if (v === "{}") return {};
  if (!PLAIN.test(v) || v !== v.trim()) return undefined;
  if (v === "true" || v === "false") return v === "true";
  if (v === "null" || v === "~") return null;
  if (/^-?(?:0|[1-9][0-9]*)$/.test(v)) return Number(v);
  if (/^[-+.0-9]/.test(v) || /^(?:yes|no|on|off|y|n)$/i.test(v)) return undefined; // numbers and YAML 1.1 booleans: leave to the parser
  return v;
}

export function parseLxcYaml(text: string): Mapping | undefined {
  const root: Mapping = {};
  // Open mappings, innermost last; `indent` is their keys' column (-1: not known yet).
  const stack: { map: Mapping; indent: number }[] = [{ map: root, indent: 0 }];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const m = LINE.exec(line);
    if (!m) return undefined;
    const indent = m[1]!.length;
    const key = m[2]!;
    let top = stack[stack.length - 1]!;
    if (top.indent === -1) {
      if (indent <= stack[stack.length - 2]!.indent) return undefined; // `key:` with nothing under it
      top.indent = indent;
    }
    while (indent < top.indent) {
      stack.pop();
      top = stack[stack.length - 1]!;
    }
    if (indent !== top.indent || Object.hasOwn(top.map, key)) return undefined;
    if (m[3] === undefined || m[3] === "") {
      const child: Mapping = {};
      top.map[key] = child;
      stack.push({ map: child, indent: -1 });
      continue;
    }
    const v = scalar(m[3]);
    if (v === undefined) return undefined;
    top.map[key] = v;
  }
  if (stack[stack.length - 1]!.indent === -1) return undefined;
  return root;
}
