// Runs the built CLI (dist/cli.js, built by `npm test` before vitest) as a separate process.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runtimes the CLI runs under: Node (this one), and Deno and Bun from node_modules. */
export const RUNTIMES: Record<string, string[]> = {
  node: [process.execPath],
  bun: [new URL("../../node_modules/.bin/bun", import.meta.url).pathname],
  deno: [new URL("../../node_modules/.bin/deno", import.meta.url).pathname, "run", "-A"],
};

export function cli(
  args: string[],
  options: {
    input?: Uint8Array | string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    runtime?: keyof typeof RUNTIMES;
  } = {},
): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run `npx tsup` (npm test does)");
  return new Promise((resolve, reject) => {
    const [bin, ...pre] = RUNTIMES[options.runtime ?? "node"]!;
    const child = spawn(bin!, [...pre, CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.end(options.input ?? "");
  });
}
