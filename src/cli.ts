// The `lxd-fetch` executable. Kept tiny: the command's own modules load only once its name is
// known (see cli/main.ts), so `operations list` never compiles exec or the YAML parser.
import type Module from "node:module";
import type * as V8 from "node:v8";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
// Node only, loaded only there: in the compiled CLI (Bun) the first node: module costs ~4 MiB.
if (!g.Deno && !g.Bun) {
  // Node ≥ 22.1 keeps compiled code on disk between runs; Node 20 has no such cache (a no-op).
  (process.getBuiltinModule("node:module") as typeof Module & { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // undici parses HTTP with WebAssembly (llhttp), and V8 also compiles it with its optimising tier
  // on background threads, which Node waits for at exit: about 35 MiB of peak memory and 100 ms
  // for a process that makes a handful of requests (bench/cli.mjs). The baseline compiler alone is
  // plenty for HTTP heads (websocket frames are parsed in JavaScript). Set before undici compiles.
  (process.getBuiltinModule("node:v8") as typeof V8).setFlagsFromString("--liftoff-only");
}

const { main } = await import("./cli/main.js");
const code = await main(process.argv.slice(2));
process.exitCode = code;

// Under Deno, MSW's interceptors (--mock) keep the process alive after the server closed. Deno
// writes stdout synchronously, so exiting at once loses nothing there (Node's pipes are async).
if (g.Deno) process.exit(code);
