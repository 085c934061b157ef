// The native command's runtime (src/cli/runtime-bun.ts) where it can run under Node: a file
// transfer raises JavaScriptCore's tier-up thresholds, as Bun exposes them, once per call.
import { afterEach, describe, expect, it, vi } from "vitest";
import { transferMode } from "../src/cli/runtime-bun.js";

const g = globalThis as { Bun?: unknown };

describe("runtime-bun transferMode", () => {
  afterEach(() => {
    delete g.Bun;
  });

  it("sets a JIT policy far above the executable's start-up one (×10)", () => {
    const setJITPolicy = vi.fn();
    g.Bun = { unsafe: { setJITPolicy } };
    transferMode();
    expect(setJITPolicy).toHaveBeenCalledTimes(1);
    expect(setJITPolicy.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(1000);
  });
});
