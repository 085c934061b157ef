// Runs the built CLI as a separate process: by default through the package's bin
// (bin/lxd-fetch.cjs), which runs the compiled CLI when `npm run build:binary` made one and
// dist/cli.js otherwise (both built by `npm test` before vitest); `runtime` picks dist/cli.js
// under one runtime instead.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LxdEnv } from "../../scripts/lxd-env.mjs";

export const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;
/** What `lxd-fetch` runs once installed: the compiled CLI if there is one, else dist/cli.js. */
export const BIN = new URL("../../bin/lxd-fetch.cjs", import.meta.url).pathname;
/** The compiled CLI of this platform, where `npm run build:binary` puts it. */
export const BINARY = new URL(`../../binaries/lxd-fetch-${process.platform}-${process.arch}/bin/lxd-fetch`, import.meta.url).pathname;

/** The command line that runs the CLI with `args`: the bin by default, or dist/cli.js under a runtime. */
export function cliCommand(args: string[], runtime?: keyof typeof RUNTIMES): [string, string[]] {
  if (runtime === undefined) return [process.execPath, [BIN, ...args]];
  const [bin, ...pre] = RUNTIMES[runtime]!;
  return [bin!, [...pre, CLI, ...args]];
}

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
    const [bin, argv] = cliCommand(args, options.runtime);
    const child = spawn(bin, argv, { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
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
