// The CLI's client in the compiled binary (scripts/build-native.mjs puts this file in place of
// runtime.ts): Bun's transport only, so neither undici nor the Deno transport is bundled. Loaded
// on first use, as runtime.ts does, so `--help` and usage errors parse no client code.
import type { Lxd, LxdOptions } from "../index.js";

export async function createClient(options: LxdOptions): Promise<Lxd> {
  return (await import("../bun.js")).createLxd(options);
}
