// Streamed bytes die young, but V8 frees a Buffer's memory only when a scavenge collects its
// wrapper, and it starts one for young ArrayBuffers only once 32 MiB of them are outstanding
// (twice its default semi-space, whatever --max-semi-space-size says): a 1 GiB copy then holds
// ~33 MiB of dead chunks at any time (process.memoryUsage().arrayBuffers, sampled; see
// docs/files-memory.md). A copy that counts its bytes calls this to collect them sooner.
// node:v8 and node:vm are taken only under Node: Bun implements them in JavaScript, and loading
// them there would add to the native executable's memory for nothing (docs/native-cli.md).

type Collect = () => void;

function youngCollector(): Collect | undefined {
  const g = globalThis as { Bun?: { gc(sync: boolean): void }; Deno?: unknown };
  if (g.Bun) return () => g.Bun!.gc(false);
  if (g.Deno) return undefined;
  try {
    // V8 defines `gc` in contexts created after the flag is set; this one never leaks out.
    process.getBuiltinModule("node:v8").setFlagsFromString("--expose-gc");
    const gc = process.getBuiltinModule("node:vm").runInNewContext("gc") as (o: { type: "minor" }) => void;
    return () => gc({ type: "minor" });
  } catch {
    return undefined;
  }
}

/** Returns `count(bytes)`, which collects young garbage every `every` bytes counted. */
export function collectEvery(every: number, collect: Collect | undefined = youngCollector()): (bytes: number) => void {
  if (!collect) return () => undefined;
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    collect();
  };
}
