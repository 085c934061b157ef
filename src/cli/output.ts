// A listing in the formats `lxc list --format` has: table (the default), csv, json, yaml and
// compact, from one description of the columns, so every family command prints the same way.
import { UsageError } from "./args.js";
import { json, table } from "./format.js";
import { loadYaml } from "./yaml.js";

export const FORMATS = ["table", "csv", "json", "yaml", "compact"] as const;
export type Format = (typeof FORMATS)[number];

/** A column: its heading and how a row's object gives its cell. */
export type Column<T> = readonly [heading: string, cell: (item: T) => string];

/** The `--format` flag checked against the formats a listing has. */
export function formatOf(flag: string | undefined): Format {
  const f = flag ?? "table";
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format is one of ${FORMATS.join(", ")}`);
  return f as Format;
}

// RFC 4180 quoting, as lxc's csv writer (Go's encoding/csv) does it.
const csvCell = (c: string) => (/[",\n\r]/.test(c) || c.startsWith(" ") ? `"${c.replaceAll('"', '""')}"` : c);

/** The listing as text: json and yaml print the objects themselves, the others the columns. */
export async function render<T>(items: readonly T[], columns: readonly Column<T>[], format: Format): Promise<string> {
  if (format === "json") return json(items);
  if (format === "yaml") return (await loadYaml()).stringify(items).trimEnd();
  const rows = items.map((i) => columns.map(([, cell]) => cell(i)));
  const headings = columns.map(([h]) => h);
  if (format === "csv") return rows.map((r) => r.map(csvCell).join(",")).join("\n");
  if (format === "compact") {
    const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    return [headings, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n");
  }
  return table(headings, rows);
}

/** One object (`show`), as lxc prints it: YAML, or JSON with `--format json`. */
export async function renderOne(item: unknown, flag: string | undefined): Promise<string> {
  const f = flag ?? "yaml";
  if (f === "json") return json(item);
  if (f !== "yaml") throw new UsageError("--format is yaml or json");
  return (await loadYaml()).stringify(item).trimEnd();
}

/** `k=v` pairs (`-c`, `set`) as a config map; a pair without `=` is a usage error. */
export function keyValues(flag: string, pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, string> = {};
  for (const kv of pairs) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} wants key=value, got ${JSON.stringify(kv)}`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}
