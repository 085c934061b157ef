// The CLI runs under Node, Deno and Bun: each gets its own entry (and so its own transport),
// loaded only there, so Node's undici is never imported under Deno or Bun.
import type { Lxd, LxdOptions } from "../index.js";

export async function createClient(options: LxdOptions): Promise<Lxd> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const entry = g.Deno ? await import("../deno.js") : g.Bun ? await import("../bun.js") : await import("../index.js");
  return entry.createLxd(options);
}
