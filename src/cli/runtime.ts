// The CLI runs under Node, Deno and Bun: each gets its own entry (and so its own transport),
// loaded only there, so Node's undici is never imported under Deno or Bun.
import type { Lxd, LxdOptions } from "../index.js";

/** How the client is used: `inProcess` when its requests are answered in this process (--mock). */
export interface ClientHow {
  inProcess?: boolean;
}

export async function createClient(options: LxdOptions, _how: ClientHow = {}): Promise<Lxd> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const entry = g.Deno ? await import("../deno.js") : g.Bun ? await import("../bun.js") : await import("../index.js");
  return entry.createLxd(options);
}

/**
 * Whether the client's transport is done with a file chunk once the next is asked for (see
 * runtime-bun.ts). Not here: Node's and Bun's fetch may still hold a chunk they were given.
 */
export const ownsChunks = (): boolean => false;

/**
 * Prepares the runtime for a long transfer (see runtime-bun.ts); nothing to do here: Node's JIT is
 * part of its own executable, measured where it matters (bench/files.mjs).
 */
export const transferMode = (): void => undefined;
