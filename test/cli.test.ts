// The CLI as a spawned process against the virtual LXD (--mock), and its error handling.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** An LXD_CONF folder with the given remotes, as `lxc remote add` leaves it. */
function lxcConfig(remotes: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lxd-fetch-conf-"));
  writeFileSync(
    join(dir, "config.yml"),
    `default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\n${remotes}aliases: {}\n`,
  );
  return dir;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("CLI against the virtual LXD", () => {
  it("exec passes the command's exit code on, and stdout/stderr through", async () => {
    const r = await cli(["--mock", "exec", "c1", "-T", "--", "sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(r.code).toBe(7);
    expect(r.stdout.toString()).toBe("out\n");
    expect(r.stderr).toBe("err\n");
  });

  it("exec pipes stdin through cat unchanged", async () => {
    const input = randomBytes(256 * 1024);
    const r = await cli(["--mock", "exec", "c1", "--", "cat"], { input });
    expect(r.code).toBe(0);
    expect(sha(r.stdout)).toBe(sha(input));
  });

  it("exec passes --env, --cwd, --user and --group", async () => {
    const r = await cli([
      "--mock",
      "exec",
      "c1",
      "--env",
      "A=1",
      "--env",
      "B=x=y",
      "--cwd",
      "/srv",
      "--user",
      "1000",
      "--group",
      "100",
      "--",
      "sh",
      "-c",
      "env; pwd; id",
    ]);
    expect(r.stdout.toString()).toBe("A=1\nB=x=y\n/srv\nuid=1000 gid=100\n");
  });

  it("operations list --format json is parsable", async () => {
    const r = await cli(["--mock", "operations", "list", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual({});
  });

  it("operations list prints a table", async () => {
    const r = await cli(["--mock", "operations", "list"]);
    expect(r.stdout.toString().split("\n")[1]).toMatch(/\| ID +\| TYPE +\| DESCRIPTION +\| STATUS +\| CANCELABLE +\| CREATED +\|/);
  });

  it("a malformed operation id: one line, exit 1, no stack", async () => {
    const r = await cli(["--mock", "operations", "show", "not-an-id"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('lxd-fetch: invalid operation id "not-an-id": expected a UUID or /1.0/operations/<uuid>\n');
  });

  it("--debug adds the stack", async () => {
    const r = await cli(["--mock", "--debug", "operations", "show", "not-an-id"]);
    expect(r.stderr.split("\n").length).toBeGreaterThan(3);
    expect(r.stderr).toMatch(/at /);
  });

  it("usage errors exit 2", async () => {
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["--no-such-flag"])).code).toBe(2);
    expect((await cli(["exec", "c1"])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
  });
});

describe("CLI remotes from the lxc config", () => {
  it("a bad remote name is one line and exit 1", async () => {
    const r = await cli(["exec", "nope:c1", "--", "true"], { env: { LXD_CONF: lxcConfig("") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('lxd-fetch: unknown remote "nope" (configured: local)\n');
  });

  it("an unreachable remote is one line and exit 1", async () => {
    const port = await closedPort();
    const conf = lxcConfig(`  far:\n    addr: https://127.0.0.1:${port}\n    protocol: lxd\n    auth_type: tls\n    public: false\n`);
    const r = await cli(["operations", "list", "far:"], { env: { LXD_CONF: conf } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lxd-fetch: GET \/1.0\/operations on "far": .*ECONNREFUSED.*\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  it("remote list shows the configured remotes and skips image servers", async () => {
    const conf = lxcConfig(
      `  images:\n    addr: https://images.example\n    protocol: simplestreams\n    public: true\n  prod:\n    addr: https://10.1.1.1:8443\n    protocol: lxd\n`,
    );
    const r = await cli(["remote", "list"], { env: { LXD_CONF: conf } });
    expect(r.stdout.toString()).toMatch(/\| prod +\| https:\/\/10\.1\.1\.1:8443 +\| tls +\|/);
    expect(r.stdout.toString()).toMatch(/skipped: images/);
  });
});

describe("CLI remotes from the incus config", () => {
  /** An INCUS_CONF folder as the incus CLI leaves it: `local` is `unix://` with protocol incus. */
  function incusConfig(remotes: string): string {
    const dir = mkdtempSync(join(tmpdir(), "lxd-fetch-incus-conf-"));
    writeFileSync(
      join(dir, "config.yml"),
      `default-remote: local\nremotes:\n  images:\n    addr: https://images.linuxcontainers.org\n    protocol: simplestreams\n    public: true\n  local:\n    addr: unix://\n    protocol: incus\n    public: false\n${remotes}aliases: {}\n`,
    );
    return dir;
  }
  const noLxc = { LXD_CONF: undefined, HOME: mkdtempSync(join(tmpdir(), "lxd-fetch-home-")) };

  it("local is Incus's socket: $INCUS_SOCKET, else $INCUS_DIR/unix.socket, else /var/lib/incus/unix.socket", async () => {
    const conf = incusConfig("");
    const list = async (extra: Record<string, string | undefined>) =>
      (
        await cli(["remote", "list"], { env: { ...noLxc, INCUS_CONF: conf, INCUS_SOCKET: undefined, INCUS_DIR: undefined, ...extra } })
      ).stdout.toString();
    expect(await list({ INCUS_SOCKET: "/run/x/incus.sock" })).toMatch(/\| local \(current\) +\| \/run\/x\/incus\.sock +\| unix +\|/);
    expect(await list({ INCUS_DIR: "/srv/incus" })).toMatch(/\| local \(current\) +\| \/srv\/incus\/unix\.socket +\| unix +\|/);
    expect(await list({})).toMatch(/\| local \(current\) +\| \/var\/lib\/incus\/unix\.socket +\| unix +\|/);
  });

  it("remotes of protocol incus are servers; image servers are skipped", async () => {
    const conf = incusConfig(`  prod:\n    addr: https://10.1.1.2:8443\n    auth_type: tls\n    protocol: incus\n    public: false\n`);
    const r = await cli(["remote", "list"], { env: { ...noLxc, INCUS_CONF: conf } });
    expect(r.stdout.toString()).toMatch(/\| prod +\| https:\/\/10\.1\.1\.2:8443 +\| tls +\|/);
    expect(r.stdout.toString()).toMatch(/skipped: images/);
  });

  it("a missing Incus socket is a one-line ConnectionError naming the socket", async () => {
    const conf = incusConfig("");
    const r = await cli(["operations", "list"], { env: { ...noLxc, INCUS_CONF: conf, INCUS_SOCKET: "/nonexistent/incus.socket" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  it("$LXD_CONF wins over $INCUS_CONF (a machine with both keeps lxc's remotes)", async () => {
    const lxc = lxcConfig(`  lxdprod:\n    addr: https://10.1.1.1:8443\n    protocol: lxd\n`);
    const r = await cli(["remote", "list"], { env: { LXD_CONF: lxc, INCUS_CONF: incusConfig("") } });
    expect(r.stdout.toString()).toMatch(/lxdprod/);
  });
});
