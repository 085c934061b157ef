// Output helpers: a plain table like `lxc`'s, and JSON.
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  return [rule, line(headers), rule, ...rows.map(line), ...(rows.length ? [rule] : [])].join("\n");
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);
