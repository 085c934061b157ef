// The CLI as a spawned process against each real server, with remotes `local` and `tls` from that
// server's own CLI config (cliConfig in test/support/cli.ts).
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it, vi } from "vitest";
import { CLI_COMMAND, cli, cliConfig } from "../support/cli.js";
import { clientFor, createTokenOperation, describeServers } from "./lxd.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describeServers("real server: CLI", (env) => {
  const { env: confEnv, remove } = cliConfig(env);
  const run = (args: string[], input?: Uint8Array) => cli(args, { env: confEnv, ...(input && { input }) });
  const lxd = clientFor("unix", { socket: env.socket });
  afterAll(async () => {
    await lxd.close();
    remove();
  });

  describe.each(["local", "tls"])("remote %s", (remote) => {
    it("exec propagates the exit code and separates the streams", async () => {
      const r = await run(["exec", `${remote}:${env.container}`, "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
      expect({ code: r.code, out: r.stdout.toString(), err: r.stderr }).toEqual({ code: 7, out: "out\n", err: "err\n" });
    });

    it("exec pipes stdin through cat unchanged (checksum of 4 MiB)", async () => {
      const input = new Uint8Array(randomBytes(4 * 1024 * 1024));
      const r = await run(["exec", `${remote}:${env.container}`, "--", "cat"], input);
      expect(r.code).toBe(0);
      expect(r.stdout.byteLength).toBe(input.byteLength);
      expect(sha(r.stdout)).toBe(sha(input));
    });

    it("operations list --format json is parsable and shows a live operation; show, cancel, wait", async () => {
      const id = await createTokenOperation(lxd);
      const list = await run(["operations", "list", `${remote}:`, "--format", "json"]);
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout.toString()) as { running?: string[] }).running).toContain(`/1.0/operations/${id}`);
      const show = await run(["operations", "show", `${remote}:${id}`]);
      expect(show.stdout.toString()).toMatch(new RegExp(`^id: ${id}$`, "m"));
      expect((await run(["operations", "cancel", `${remote}:${id}`])).code).toBe(0);
      const wait = await run(["operations", "wait", `${remote}:${id}`, "--timeout", "5"]);
      expect(wait.code).toBe(1);
      expect(wait.stderr).toMatch(/Cancelled \(401\)/);
    });
  });

  describe.each(["bun", "deno"] as const)("under %s", (runtime) => {
    it("exec over the socket and over HTTPS: exit code, streams and stdin", async () => {
      for (const remote of ["local", "tls"]) {
        const r = await cli(["exec", `${remote}:${env.container}`, "--", "sh", "-c", "echo out; echo err >&2; exit 7"], {
          env: confEnv,
          runtime,
        });
        expect({ remote, code: r.code, out: r.stdout.toString(), err: r.stderr }).toEqual({ remote, code: 7, out: "out\n", err: "err\n" });
        const input = new Uint8Array(randomBytes(1024 * 1024));
        const c = await cli(["exec", `${remote}:${env.container}`, "--", "cat"], { env: confEnv, runtime, input });
        expect({ remote, code: c.code, sha: sha(c.stdout) }).toEqual({ remote, code: 0, sha: sha(input) });
      }
    });

    it("--mock works too", async () => {
      const r = await cli(["--mock", "exec", "c1", "--", "sh", "-c", "echo mock; exit 4"], { runtime });
      expect({ code: r.code, out: r.stdout.toString() }).toEqual({ code: 4, out: "mock\n" });
    });
  });

  it("events prints one JSON object per line until interrupted", async () => {
    const child = spawn(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), "events", "--type", "operation"], {
      env: { ...process.env, ...confEnv },
    });
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    lines.on("line", (l) => seen.push(l));
    // Start operations until one shows up (the CLI needs a moment to connect).
    let id = "";
    for (let i = 0; i < 40 && !seen.some((l) => id && l.includes(id)); i++) {
      id = await createTokenOperation(lxd);
      await lxd.operations.delete(undefined, id);
      await new Promise((r) => setTimeout(r, 250));
    }
    const event = JSON.parse(seen.find((l) => l.includes(id))!) as { type: string; metadata: { id: string } };
    expect(event).toMatchObject({ type: "operation", metadata: { id } });
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
  });
});
