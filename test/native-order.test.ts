// The profiles scripts/build-native.mjs lays the executable's bytecode out by
// (scripts/native-order/, recorded by scripts/record-native-order.mjs): each is Bun's format (a
// version line, then one entry per line), and a later profile lists only entries no earlier one
// lists. Bun places a function where the first profile naming it does, so the build is the same
// as from the full recordings; an entry in two files would mean they were not recorded together.
import { readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";

const dir = new URL("../scripts/native-order/", import.meta.url);
// In the order scripts/build-native.mjs passes them: the most common command first.
const PROFILES = ["exec", "operations", "file-pull"];

const entries = (name: string): string[] =>
  readFileSync(new URL(`${name}.order`, dir), "utf8")
    .split("\n")
    .filter(Boolean);

it("has a profile for each command the build lays out, and no other", () => {
  expect(readdirSync(dir).sort()).toEqual(PROFILES.map((p) => `${p}.order`).sort());
});

it("keeps each profile in Bun's format: a version line, then one entry per line", () => {
  for (const name of PROFILES) {
    const [version, ...lines] = entries(name);
    expect(version, name).toMatch(/^v\d+$/);
    expect(lines.length, name).toBeGreaterThan(0);
    for (const line of lines) expect(line, name).toMatch(/^[A-Z] [0-9a-f]{16}$/);
  }
});

it("lists each entry once, in the first profile that has it", () => {
  const seen = new Map<string, string>();
  for (const name of PROFILES) {
    for (const line of entries(name).slice(1)) {
      expect(seen.get(line), `${line} in ${name}`).toBeUndefined();
      seen.set(line, name);
    }
  }
  expect(seen.size).toBeGreaterThan(1000);
});
