// Runs the built CLI (dist/cli.js, built by `npm test` before vitest) as a separate process.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function cli(args: string[], options: { input?: Uint8Array | string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run `npx tsup` (npm test does)");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
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
