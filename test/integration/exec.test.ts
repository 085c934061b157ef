// Exec, and operations awaited through events, against each real server (LXD, Incus) over the
// unix socket and over HTTPS with mutual TLS.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLxd, LxdError, nodeTransport, type Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function count(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let n = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.byteLength;
  return n;
}

describeServers("real server: exec", (env) => {
  const c = env.container;
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    afterAll(() => lxd.close());

    it("separates stdout and stderr and reports exit code 3", async () => {
      const r = await lxd.run(name, c, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
      expect({ code: r.exitCode, out: r.text(), err: r.text("stderr") }).toEqual({ code: 3, out: "out\n", err: "err\n" });
    });

    it.each([
      [["true"], 0],
      [["false"], 1],
      [["sh", "-c", "exit 3"], 3],
      [["no-such-command"], 127],
    ])("%j exits %i", async (command, code) => {
      const r = await lxd.run(name, c, command);
      expect(r.exitCode).toBe(code);
    });

    it("cat round-trips 10 MiB of random bytes through stdin and stdout unchanged", async () => {
      const input = new Uint8Array(randomBytes(10 * 1024 * 1024));
      const r = await lxd.run(name, c, ["cat"], { input });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.byteLength).toBe(input.byteLength);
      expect(sha256(r.stdout)).toBe(sha256(input));
    });

    it("64 MiB of output arrives complete", async () => {
      const proc = await lxd.exec(name, c, ["head", "-c", String(64 * 1024 * 1024), "/dev/zero"]);
      await proc.stdin.close();
      const [n, exit] = await Promise.all([count(proc.stdout), proc.exited]);
      expect(n).toBe(64 * 1024 * 1024);
      expect(exit.exitCode).toBe(0);
    });

    it("interactive: stty size reports the size set by resize", async () => {
      // The resize goes over the control socket and "go" over the data socket: the server applies
      // them in no promised order and acknowledges neither, and one CI run read "24 80" (the line
      // reached the shell first). So the command waits, at most 5 s, for the size to change: a
      // resize that arrives late passes, one that is lost still prints "24 80" and fails.
      const script = 'read line; i=0; while [ "$(stty size)" = "24 80" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; stty size';
      const once = async () => {
        const proc = await lxd.exec(name, c, ["sh", "-c", script], { interactive: true, width: 80, height: 24 });
        await proc.resize(132, 43);
        const w = proc.stdin.getWriter();
        await w.write(new TextEncoder().encode("go\r"));
        const out = new TextDecoder().decode(new Uint8Array(await new Response(proc.stdout).arrayBuffer()));
        return { out, exitCode: (await proc.exited).exitCode };
      };
      // LXD 5.0.2's PTY mirror now and then drops what it read once it has seen the command exit
      // (docs/exec-output.md, "LXD 5.0.2's PTY mirror"): here the echoed "go" came and no size
      // line, exit code 0 (1 of 26 runs of this test here). Tried again on that server only, at
      // most twice, each retry printed, as the fidelity test does.
      for (let attempt = 1; ; attempt++) {
        const { out, exitCode } = await once();
        const ptyTailLost = env.server === "lxd" && exitCode === 0 && !/\d+ \d+/.test(out);
        if (!ptyTailLost || attempt === 3) {
          expect(out).toContain("43 132");
          expect(exitCode).toBe(0);
          return;
        }
        console.log(`[lxd-fetch] interactive stty size: LXD 5.0.2's PTY mirror dropped the output after the echo (attempt ${attempt})`);
      }
    });

    it("sleep 1000 ended by kill() resolves promptly with the signal's exit status", async () => {
      const proc = await lxd.exec(name, c, ["sleep", "1000"]);
      const started = Date.now();
      await proc.kill(15);
      const exit = await proc.exited;
      expect(exit.exitCode).toBe(128 + 15);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it("aborting rejects with AbortError and kills the command (no sleep left in the container)", async () => {
      const ac = new AbortController();
      const proc = await lxd.exec(name, c, ["sleep", "1000"], { signal: ac.signal });
      ac.abort();
      await expect(proc.exited).rejects.toMatchObject({ name: "AbortError" });
      // exited rejects at once; LXD kills the command when it sees control close, just after.
      const sleeping = async () => (await lxd.run(name, c, ["sh", "-c", "ps | grep -c '[s]leep 1000'"])).text().trim();
      let left = await sleeping();
      for (let i = 0; i < 30 && left !== "0"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await sleeping();
      }
      expect(left).toBe("0");
    });

    it("20 concurrent execs each output exactly their own", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          lxd.run(name, c, ["sh", "-c", `echo start-${i}; yes line-${i} | head -n 2000; echo end-${i} >&2`]),
        ),
      );
      results.forEach((r, i) => {
        const lines = r.text().split("\n").filter(Boolean);
        expect(lines[0]).toBe(`start-${i}`);
        expect(lines.slice(1).every((l) => l === `line-${i}`)).toBe(true);
        expect(lines).toHaveLength(2001);
        expect(r.text("stderr")).toBe(`end-${i}\n`);
        expect(r.exitCode).toBe(0);
      });
    });

    it("environment, cwd, user and group reach the command", async () => {
      const r = await lxd.run(name, c, ["sh", "-c", "echo $GREETING; pwd; id -u; id -g"], {
        environment: { GREETING: "hi there" },
        cwd: "/tmp",
        user: 65534,
        group: 65534,
      });
      expect(r.text()).toBe("hi there\n/tmp\n65534\n65534\n");
    });
  });

  describe.each(remotes(env))("operations over %s", (name, remote) => {
    const requests: string[] = [];
    const lxd = clientFor(name, remote);
    // The same remote, with every HTTP request recorded.
    const counted = createLxd({
      remotes: { [name]: remote },
      defaultRemote: name,
      transport: (n, cfg) => {
        const t = nodeTransport(n, cfg);
        return { ...t, fetch: (input, init) => (requests.push(`${init?.method ?? "GET"} ${String(input)}`), t.fetch(input, init)) };
      },
    });
    afterAll(async () => {
      await lxd.close();
      await counted.close();
    });

    it("an operation awaited through events: stop and start, no /wait request", async () => {
      for (const action of ["stop", "start"] as const) {
        const op = await counted.instances.setState(undefined, c, { action, timeout: 30, force: true });
        const seen: number[] = [];
        op.onUpdate((o) => seen.push(o.status_code));
        await expect(op.wait({ timeout: 60_000 })).resolves.toMatchObject({ status_code: 200 });
        expect(seen.at(-1)).toBe(200);
      }
      expect(requests.filter((r) => r.includes("/wait"))).toEqual([]);
      expect((await counted.instances.state(undefined, c)).status).toBe("Running");
    });

    it("exec in a stopped container is a typed error", async () => {
      await (await lxd.instances.setState(undefined, c, { action: "stop", force: true, timeout: 30 })).wait();
      try {
        const err = await lxd.exec(undefined, c, ["true"]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LxdError);
        expect(err).toMatchObject({ status: 400, remote: name });
      } finally {
        await (await lxd.instances.setState(undefined, c, { action: "start", timeout: 30 })).wait();
      }
    });
  });
});
