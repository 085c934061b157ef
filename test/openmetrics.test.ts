// The metrics text parser (src/utils/openmetrics.ts): the real servers' text as kept by
// test/integration/metrics.test.ts (test/fixtures/metrics-*.txt), then the format's corners that
// those texts do not show (escapes, special values, timestamps, histograms, exemplars, errors).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, parseMetrics } from "../src/index.js";

const fixture = (server: string) => readFileSync(new URL(`./fixtures/metrics-${server}.txt`, import.meta.url), "utf8");

describe.each(["lxd", "incus"])("parseMetrics on the real %s text", (server) => {
  const text = fixture(server);
  const parsed = parseMetrics(text);

  it("gives one sample per sample line and one family per TYPE line, every sample in a declared family", () => {
    const lines = text.split("\n");
    const sampleLines = lines.filter((l) => l !== "" && !l.startsWith("#"));
    const typeLines = lines.filter((l) => l.startsWith("# TYPE "));
    expect(parsed.samples).toHaveLength(sampleLines.length);
    expect(parsed.families.map((f) => f.name)).toEqual(typeLines.map((l) => l.split(" ")[2]));
    expect(parsed.families.reduce((n, f) => n + f.samples.length, 0)).toBe(sampleLines.length);
    for (const f of parsed.families) {
      expect(["counter", "gauge"]).toContain(f.type);
      expect(f.help).not.toBe("");
    }
  });

  it("reads each line's name, labels and value as the line says", () => {
    const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    for (const [i, s] of parsed.samples.entries()) {
      const line = lines[i]!;
      const [head, value] = [line.slice(0, line.lastIndexOf(" ")), line.slice(line.lastIndexOf(" ") + 1)];
      expect(head.startsWith(s.name)).toBe(true);
      expect(s.value).toBe(Number(value));
      const labels = [...head.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map(([, k, v]) => [k, v]);
      expect(Object.entries(s.labels)).toEqual(labels);
    }
    expect(parsed.samples.some((s) => s.labels.name === "lxdfetch-c1")).toBe(true);
  });
});

describe("parseMetrics: the format's corners", () => {
  it("unescapes label values and HELP text", () => {
    const m = parseMetrics('# HELP a_total A \\\\ \\n help\n# TYPE a_total counter\na_total{path="C:\\\\x\\"y\\"\\nz",b=""} 1\n# EOF\n');
    expect(m.families[0]).toMatchObject({ name: "a_total", type: "counter", help: "A \\ \n help" });
    expect(m.samples[0]!.labels).toEqual({ path: 'C:\\x"y"\nz', b: "" });
  });

  it("reads NaN, ±Inf, exponents and timestamps", () => {
    const m = parseMetrics("a NaN\nb +Inf\nc -Inf\nd 1.5e+10 1700000000\ne -0.25 1700000000.5\n");
    expect(m.samples.map((s) => s.value)).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5e10, -0.25]);
    expect(m.samples.map((s) => s.timestamp)).toEqual([undefined, undefined, undefined, 1700000000, 1700000000.5]);
    expect(m.families.map((f) => [f.name, f.type])).toEqual([
      ["a", "unknown"],
      ["b", "unknown"],
      ["c", "unknown"],
      ["d", "unknown"],
      ["e", "unknown"],
    ]);
  });

  it("puts a histogram's _bucket, _sum and _count series, and a counter's _total, in their family; keeps labels apart", () => {
    const text = [
      "# TYPE h histogram",
      "# UNIT h seconds",
      'h_bucket{op="a",le="1"} 2',
      'h_bucket{op="a",le="+Inf"} 3',
      'h_bucket{op="b",le="+Inf"} 1',
      'h_sum{op="a"} 4.5',
      'h_count{op="a"} 3',
      "# TYPE c counter",
      "c_total 7",
      "c_created 1700000000",
      "# EOF",
      "ignored after EOF",
    ].join("\n");
    const m = parseMetrics(text);
    expect(m.families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ["h", "histogram", 5],
      ["c", "counter", 2],
    ]);
    expect(m.families[0]!.unit).toBe("seconds");
    expect(m.families[0]!.samples.map((s) => s.labels)).toEqual([
      { op: "a", le: "1" },
      { op: "a", le: "+Inf" },
      { op: "b", le: "+Inf" },
      { op: "a" },
      { op: "a" },
    ]);
  });

  it("drops an OpenMetrics exemplar, takes CRLF and spaces around labels, skips plain comments", () => {
    const m = parseMetrics('# a comment\r\nx_bucket{ le="1" , } 2 # {trace_id="abc"} 1.0 1700000000\r\n');
    expect(m.samples).toEqual([{ name: "x_bucket", labels: { le: "1" }, value: 2 }]);
  });

  it("names the line of a malformed sample or declaration", () => {
    for (const [text, why] of [
      ["ok 1\nbad{a=1} 2", /line 2: label a has no quoted value/],
      ['x{a="1"', /line 1: unterminated label value|expected , or }/],
      ["x", /line 1: expected a value/],
      ["x 1 2 3", /expected a value/],
      ["x one", /bad value "one"/],
      ["x 0x10", /bad value/],
      ["x 1 soon", /bad timestamp/],
      ['x{a="1",a="2"} 1', /label a given twice/],
      ["# TYPE x histogramm", /unknown type "histogramm"/],
      ["9x 1", /bad metric name/],
    ] as const) {
      expect(() => parseMetrics(text)).toThrow(InvalidArgumentError);
      expect(() => parseMetrics(text)).toThrow(why);
    }
  });
});
