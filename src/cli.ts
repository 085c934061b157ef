// The `lxd-fetch` executable.
import { main } from "./cli/main.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Under Deno, MSW's interceptors (--mock) keep the process alive after the server closed. Deno
// writes stdout synchronously, so exiting at once loses nothing there (Node's pipes are async).
if ((globalThis as { Deno?: unknown }).Deno) process.exit(code);
