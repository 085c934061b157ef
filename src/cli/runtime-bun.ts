// The CLI's client in the compiled binary (scripts/build-native.mjs puts this file in place of
// runtime.ts): Bun's transport only, so neither undici nor the Deno transport is bundled. Loaded
// on first use, as runtime.ts does, so `--help` and usage errors parse no client code. File
// contents go over the transport's own connections (`ownSockets`, src/transport/bun-http.ts):
// Bun's fetch held a pulled file's chunks between reads (docs/files-memory.md).
import type { Lxd, LxdOptions } from "../index.js";
import type { ClientHow } from "./runtime.js";

/** Set once the client goes through the transport's own connections (below). */
let owned = false;

export async function createClient(options: LxdOptions, how: ClientHow = {}): Promise<Lxd> {
  const { bunTransport, createLxd } = await import("../bun.js");
  // --mock answers in this process through fetch (MSW): nothing may go around it there.
  if (how.inProcess) return createLxd(options);
  owned = true;
  return createLxd({ transport: (name, config) => bunTransport(name, config, { ownSockets: true }), ...options });
}

/**
 * The transport's own connections write each chunk of a push out before they read the next, and
 * hand over each pulled chunk in a buffer of its own (src/transport/bun-http.ts): so `file push`
 * reads into one buffer again and again, and `file pull` frees each chunk once written
 * (src/cli/files.ts). Not with --mock, whose requests go through fetch.
 */
export const ownsChunks = (): boolean => owned;

/**
 * JavaScriptCore's tier-up thresholds, times this, for the rest of a file transfer: its loop runs
 * a few small functions once per socket read (200–512 KiB) for as long as it lasts, and at the
 * executable's start-up policy (scripts/build-native.mjs) they reached the DFG and FTL tiers,
 * whose compilers are code paged in from the executable: 8–10 MiB of a 1 GiB copy's peak memory.
 * The server sets the pace, so the interpreter and baseline tiers cost no time (docs/files-memory.md).
 */
const TRANSFER_JIT_POLICY = 1000;

/** Keeps a transfer's loop out of the optimizing tiers (above). */
export function transferMode(): void {
  (globalThis as unknown as { Bun: { unsafe: { setJITPolicy(scale: number): void } } }).Bun.unsafe.setJITPolicy(TRANSFER_JIT_POLICY);
}
