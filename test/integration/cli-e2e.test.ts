// One end-to-end run through the CLI alone (dist/cli.js spawned as a user would, with
// the server's own CLI config from cliConfig) against each real server, through its remotes
// `local` (the unix socket) and `tls` (HTTPS), one instance each:
// launch from the project's busybox image (imported under an lfe- alias), push 20 MiB of random
// bytes, sha256sum them in the instance, pull them back, see a prompt on the console, delete.
// The image, the instance and the local files are removed in afterAll, whatever failed.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { buildBusyboxImage, type BusyboxImage } from "../support/busybox-image.js";
import { CLI_COMMAND, cli, cliConfig } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

const unique = () => Math.random().toString(36).slice(2, 8);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const SIZE = 20 << 20;

/** Resolves once `child`'s output so far matches `re`; rejects after `ms` with what it said. */
function outputMatching(child: ChildProcessWithoutNullStreams, seen: () => string, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!re.test(seen())) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${re} in the console's output within ${ms} ms: ${JSON.stringify(seen())}`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      child.stdout.off("data", check);
    };
    child.stdout.on("data", check);
    check();
  });
}

/**
 * Runs a clean-up step; what is already gone (404) is fine, any other failure is said, not thrown,
 * so that the other steps still run (a server restarted by another suite refuses them all).
 */
async function removing(what: string, start: () => Promise<{ wait(o?: { timeout?: number }): Promise<unknown> }>): Promise<void> {
  try {
    await (await start()).wait({ timeout: 30_000 });
  } catch (e) {
    if ((e as { status?: number }).status !== 404) console.warn(`[lxd-fetch] cli-e2e could not remove ${what}: ${(e as Error).message}`);
  }
}

describeServers("real server: CLI end to end", (env) => {
  const lxd = clientFor("unix", { socket: env.socket });
  const conf = cliConfig(env);
  const run = (...args: string[]) => cli(args, { env: conf.env, timeoutMs: 90_000 });
  const work = mkdtempSync(join(tmpdir(), "lfe-e2e-"));
  const instances = new Set<string>();
  const alias = `lfe-img-${unique()}`;
  let image: BusyboxImage | undefined;
  const consoles = new Set<ChildProcessWithoutNullStreams>();

  beforeAll(async () => {
    image = buildBusyboxImage(`lfe-${env.server}-${unique()}`);
    const op = await lxd.images.import("unix", Readable.toWeb(createReadStream(image.unified)) as ReadableStream<Uint8Array>);
    expect((await op.wait({ timeout: 60_000 })).metadata?.fingerprint).toBe(image.unifiedFingerprint);
    await lxd.images.aliases.create("unix", alias, image.unifiedFingerprint, { description: "lxd-fetch e2e" });
  });

  afterAll(async () => {
    for (const child of consoles) child.kill("SIGKILL"); // the console is exclusive: never leave it attached
    for (const name of instances) await removing(`instance ${name}`, () => lxd.instances.delete("unix", name, { force: true }));
    // Deleting the image removes its alias with it.
    const fingerprint = image?.unifiedFingerprint;
    if (fingerprint) await removing(`image ${alias}`, () => lxd.images.delete("unix", fingerprint));
    image?.remove();
    await lxd.close();
    conf.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(["local", "tls"])(
    "remote %s: launch → file push 20 MiB → exec sha256sum → file pull → the same sha256 thrice → console prompt → delete --force",
    async (remote) => {
      const instance = `lfe-e2e-${remote}-${unique()}`;
      instances.add(instance);
      const target = `${remote}:${instance}`;
      const launched = await run("launch", alias, target);
      expect([launched.code, launched.stderr]).toEqual([0, `Creating ${instance}\nStarting ${instance}\n`]);
      expect((await lxd.instances.state("unix", instance)).status).toBe("Running");

      const data = new Uint8Array(randomBytes(SIZE));
      const local = join(work, `${remote}.bin`);
      writeFileSync(local, data);
      const pushed = await run("file", "push", local, `${target}/root/random.bin`);
      expect([pushed.code, pushed.stderr]).toEqual([0, ""]);

      const summed = await run("exec", target, "--", "sha256sum", "/root/random.bin");
      expect([summed.code, summed.stderr]).toEqual([0, ""]);
      const inInstance = /^([0-9a-f]{64}) {2}\/root\/random\.bin\n$/.exec(summed.stdout.toString())?.[1];

      const pulledPath = join(work, `${remote}-pulled.bin`);
      const pulled = await run("file", "pull", `${target}/root/random.bin`, pulledPath);
      expect([pulled.code, pulled.stderr]).toEqual([0, ""]);
      const back = new Uint8Array(readFileSync(pulledPath));
      expect(back.byteLength).toBe(SIZE);
      const want = sha256(new Uint8Array(readFileSync(local)));
      expect({ local: want, instance: inInstance, pulled: sha256(back) }).toEqual({ local: want, instance: want, pulled: want });

      // The console, as a user attaches to it but with a pipe for stdin (no raw terminal).
      const child = spawn(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), "console", target], { env: { ...process.env, ...conf.env } });
      consoles.add(child);
      let seen = "";
      let stderr = "";
      child.stdout.on("data", (b: Buffer) => (seen += b.toString()));
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      // The servers' fault that the files suite measures (LXD 5.0.2 and Incus 6.0.4 alike): keys
      // typed in the first tens of milliseconds after attaching are dropped, and the console says
      // nothing until a key reaches it, so there is no first byte to wait for. The CLI also has to
      // start and connect first, and the fresh instance's shell to come up. So only a wake-up key
      // is repeated, every 100 ms until the first output: ^U (kill the line: a detach leaves ESC c
      // in the console's input, on the shell's line) and Enter, which always prints a prompt.
      let wakes = 0;
      const first = outputMatching(child, () => seen, /./, 20_000);
      let answered = false;
      void first.then(
        () => (answered = true),
        () => undefined,
      );
      while (!answered) {
        expect(wakes, `the console never answered a key (stderr: ${JSON.stringify(stderr)})`).toBeLessThan(150);
        wakes++;
        child.stdin.write("\x15\r");
        await Promise.race([first, new Promise((r) => setTimeout(r, 100))]);
      }
      console.log(`[lxd-fetch] CLI console (${env.server} over ${remote}): first output after ${wakes} wake key(s)`);
      child.stdin.write("echo lfe-$((6*7))\r");
      await outputMatching(child, () => seen, /lfe-42\r*\n[\s\S]*# /, 15_000);
      child.stdin.write("\x01q"); // Ctrl-a q: detach
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
      consoles.delete(child);

      const deleted = await run("delete", target, "--force");
      expect([deleted.code, deleted.stderr]).toEqual([0, ""]);
      await expect(lxd.instances.get("unix", instance)).rejects.toMatchObject({ name: "LxdError", status: 404 });
      instances.delete(instance);
    },
    240_000,
  );
});
