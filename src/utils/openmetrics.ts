// A parser of the Prometheus text exposition format and of OpenMetrics text, what LXD's and
// Incus's `GET /1.0/metrics` answer. Written here because the one parser on npm for it is
// unmaintained, untyped, keeps values as strings and folds histogram series together
// (docs/api.md, "Metrics"). It is lenient where these servers differ from the strict OpenMetrics
// grammar: LXD declares a counter family under its sample name (`# TYPE lxd_cpu_seconds_total
// counter`), and `# EOF` may be missing (Prometheus text). A malformed line is an
// InvalidArgumentError naming its line number.
import { InvalidArgumentError } from "./errors.js";

export type MetricType = "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset" | "unknown";

/** One sample line: `name{labels} value [timestamp]`. */
export interface MetricSample {
  /** The sample's own name (a histogram's `_bucket`, `_sum`, `_count` lines keep their suffix). */
  name: string;
  labels: Record<string, string>;
  /** The value as a number: `NaN`, `+Inf` and `-Inf` included. */
  value: number;
  /** Seconds (OpenMetrics) or milliseconds (Prometheus text), as the line gives it; absent when it gives none. */
  timestamp?: number;
}

/** A metric family: its `# TYPE`, `# HELP` and `# UNIT` lines and its samples in their order. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  unit?: string;
  samples: MetricSample[];
}

export interface ParsedMetrics {
  families: MetricFamily[];
  /** Every sample of every family, in the text's order. */
  samples: MetricSample[];
}

const TYPES: readonly string[] = ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"];

/** The suffixes a sample of a family of each type may add to the family's name. */
const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  counter: ["_total", "_created"],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  gaugehistogram: ["_bucket", "_gsum", "_gcount"],
  summary: ["_sum", "_count", "_created"],
  info: ["_info"],
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Parses the text of a metrics endpoint into families and samples. */
export function parseMetrics(text: string): ParsedMetrics {
  if (typeof text !== "string") throw new InvalidArgumentError("parseMetrics: the text must be a string");
  const families = new Map<string, MetricFamily>();
  const samples: MetricSample[] = [];
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: "unknown", help: "", samples: [] }));
    return f;
  };
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const fail = (why: string) => new InvalidArgumentError(`parseMetrics: line ${i + 1}: ${why}: ${JSON.stringify(line.slice(0, 200))}`);
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) {
        if (/^#\s*EOF\s*$/.test(line)) break;
        continue; // a plain comment
      }
      const [, keyword, name, rest = ""] = m as unknown as [string, string, string, string?];
      if (!NAME.test(name) || NAME.exec(name)![0] !== name) throw fail("bad metric name");
      const f = family(name);
      if (keyword === "HELP") f.help = unescapeHelp(rest);
      else if (keyword === "UNIT") f.unit = rest.trim();
      else {
        const t = rest.trim().toLowerCase();
        if (!TYPES.includes(t) && t !== "untyped") throw fail(`unknown type "${rest.trim()}"`);
        f.type = (t === "untyped" ? "unknown" : t) as MetricType;
      }
      continue;
    }
    const sample = parseSample(line, fail);
    samples.push(sample);
    owner(families, sample.name, family).samples.push(sample);
  }
  return { families: [...families.values()], samples };
}

/** The family a sample belongs to: its own name's, else the declared family its suffix extends. */
function owner(families: Map<string, MetricFamily>, name: string, make: (n: string) => MetricFamily): MetricFamily {
  const own = families.get(name);
  if (own) return own;
  for (const [base, f] of families) {
    if (!name.startsWith(base)) continue;
    const suffix = name.slice(base.length);
    if ((SUFFIXES[f.type] ?? []).includes(suffix)) return f;
  }
  return make(name);
}

function parseSample(line: string, fail: (why: string) => Error): MetricSample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw fail("bad metric name");
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === "{") {
    at++;
    for (;;) {
      while (line[at] === " ") at++;
      if (line[at] === "}") break;
      const key = LABEL.exec(line.slice(at))?.[0];
      if (!key) throw fail("bad label name");
      at += key.length;
      while (line[at] === " ") at++;
      if (line[at] !== "=" || line[at + 1] !== '"') throw fail(`label ${key} has no quoted value`);
      at += 2;
      let value = "";
      for (;;) {
        const c = line[at];
        if (c === undefined) throw fail("unterminated label value");
        if (c === '"') break;
        if (c === "\\") {
          const n = line[at + 1];
          value += n === "n" ? "\n" : n === "\\" || n === '"' ? n : `\\${n ?? ""}`;
          at += 2;
          continue;
        }
        value += c;
        at++;
      }
      at++;
      if (Object.hasOwn(labels, key)) throw fail(`label ${key} given twice`);
      labels[key] = value;
      while (line[at] === " ") at++;
      if (line[at] === ",") at++;
      else if (line[at] !== "}") throw fail("expected , or } after a label");
    }
    at++;
  }
  // What follows: the value, an optional timestamp, and in OpenMetrics an optional exemplar (`# {…} v`).
  const rest = line.slice(at);
  const hash = rest.indexOf(" # ");
  const fields = (hash === -1 ? rest : rest.slice(0, hash)).trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === "") throw fail("expected a value");
  const value = number(fields[0]!);
  if (value === undefined) throw fail(`bad value "${fields[0]}"`);
  const sample: MetricSample = { name, labels, value };
  if (fields[1] !== undefined) {
    const ts = number(fields[1]);
    if (ts === undefined || !Number.isFinite(ts)) throw fail(`bad timestamp "${fields[1]}"`);
    sample.timestamp = ts;
  }
  return sample;
}

function number(s: string): number | undefined {
  switch (s) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  // Number() takes "", hex and "Infinity"; the formats take neither.
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** HELP text: `\\` and `\n` escaped (and `\"` in OpenMetrics). */
function unescapeHelp(s: string): string {
  return s.replace(/\\(.)/g, (all, c: string) => (c === "n" ? "\n" : c === "\\" || c === '"' ? c : all));
}
