// Runs the built CLI (dist/cli.js, built by `npm test` before vitest) as a separate process.
// LXD_FETCH_CLI=<path> runs another build of the command instead, the same tests unchanged: the
// native executable (scripts/build-native.mjs) or the bin/lxd-fetch launcher, e.g.
//   LXD_FETCH_CLI=npm/lxd-fetch-linux-x64/bin/lxd-fetch npx vitest run test/integration/cli.test.ts
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LxdEnv } from "../../scripts/lxd-env.mjs";

export const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

/** An executable run in place of `node dist/cli.js` (LXD_FETCH_CLI), resolved from the repository. */
export const CLI_EXECUTABLE = process.env.LXD_FETCH_CLI
  ? new URL(process.env.LXD_FETCH_CLI, new URL("../../", import.meta.url)).pathname
  : undefined;

/** The command line that starts the CLI under test, before its arguments. */
export const CLI_COMMAND: [string, ...string[]] = CLI_EXECUTABLE ? [CLI_EXECUTABLE] : [process.execPath, CLI];

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
  if (CLI_EXECUTABLE && !existsSync(CLI_EXECUTABLE)) throw new Error(`LXD_FETCH_CLI=${CLI_EXECUTABLE} is missing`);
  if (!CLI_EXECUTABLE && !existsSync(CLI)) throw new Error("dist/cli.js is missing: run `npx tsup` (npm test does)");
  return new Promise((resolve, reject) => {
    const runtime = options.runtime ?? "node";
    // The runtime tests (bun, deno) still run dist/cli.js: the executable is its own runtime.
    const [bin, ...pre] = runtime === "node" ? CLI_COMMAND : [...RUNTIMES[runtime]!, CLI];
    const child = spawn(bin, [...pre, ...args], { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
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

/**
 * A CLI config folder for one real server, as its own CLI keeps it: lxc's for LXD ($LXD_CONF),
 * incus's for Incus ($INCUS_CONF, `protocol: incus`, `local` left as `unix://` so the CLI finds
 * the socket by Incus's rule). Remotes: `local` (the unix socket) and `tls` (HTTPS with the client
 * certificate and servercerts/tls.crt). `env` is what the spawned CLI needs: only this server's
 * config is in play (an Incus user has no LXD_CONF).
 */
export function cliConfig(server: LxdEnv): { dir: string; env: Record<string, string | undefined>; remove(): void } {
  const incus = server.server === "incus";
  const dir = mkdtempSync(join(tmpdir(), incus ? "lxd-fetch-incus-" : "lxd-fetch-lxc-"));
  mkdirSync(join(dir, "servercerts"));
  writeFileSync(join(dir, "client.crt"), server.clientCert);
  writeFileSync(join(dir, "client.key"), server.clientKey);
  writeFileSync(join(dir, "servercerts", "tls.crt"), server.serverCert);
  const protocol = incus ? "incus" : "lxd";
  const localAddr = incus ? "unix://" : `unix://${server.socket}`;
  writeFileSync(
    join(dir, "config.yml"),
    `default-remote: local\nremotes:\n  local:\n    addr: ${localAddr}\n    protocol: ${protocol}\n    public: false\n  tls:\n    addr: ${server.httpsUrl}\n    auth_type: tls\n    protocol: ${protocol}\n    public: false\naliases: {}\n`,
  );
  const env = incus ? { INCUS_CONF: dir, INCUS_SOCKET: server.socket, LXD_CONF: undefined } : { LXD_CONF: dir, INCUS_CONF: undefined };
  return { dir, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
