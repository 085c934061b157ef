// The CLI's collector of young garbage (src/cli/young-garbage.ts): streamed chunks that are
// already dropped are freed once the counted bytes reach the limit, not at V8's 32 MiB.
import { describe, expect, it } from "vitest";
import { collectEvery } from "../src/cli/young-garbage.js";

const MiB = 1024 * 1024;
const arrayBuffers = () => process.memoryUsage().arrayBuffers;

/** Allocates and drops `n` 1 MiB chunks, as a transfer does; returns how much they added. */
function dropChunks(n: number): number {
  const before = arrayBuffers();
  for (let i = 0; i < n; i++) Buffer.allocUnsafeSlow(MiB).fill(i);
  return arrayBuffers() - before;
}

describe("collectEvery", () => {
  it("frees dropped chunks once `every` bytes are counted", () => {
    const count = collectEvery(8 * MiB);
    count(8 * MiB); // starts from an empty young generation
    // 16 MiB of dead chunks: below V8's own trigger, so they are still held.
    expect(dropChunks(16)).toBeGreaterThanOrEqual(15 * MiB);
    const held = arrayBuffers();
    count(8 * MiB);
    expect(held - arrayBuffers()).toBeGreaterThanOrEqual(12 * MiB);
  });

  it("counts across calls: the call that reaches the limit collects, and the count starts again", () => {
    let collected = 0;
    const count = collectEvery(8 * MiB, () => collected++);
    for (let i = 0; i < 7; i++) count(MiB);
    count(MiB - 1);
    expect(collected).toBe(0);
    count(1);
    expect(collected).toBe(1);
    count(8 * MiB - 1);
    expect(collected).toBe(1);
    count(3 * MiB);
    expect(collected).toBe(2);
  });
});
