// The CLI's `remote add --token`, `list`, `launch`, `start|stop|restart` and `delete` against the
// real servers: a token made over the unix socket enrols the config's client certificate over
// HTTPS, and the other verbs then run through that remote, read back from config.yml.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { cli } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

const unique = () => Math.random().toString(36).slice(2, 8);
const fingerprintOf = (file: string) =>
  execFileSync("sh", ["-c", `openssl x509 -in "${file}" -outform DER | sha256sum | cut -c1-64`])
    .toString()
    .trim();

describeServers("real server: CLI instance verbs", (env) => {
  const local = clientFor("unix", { socket: env.socket });
  const dir = mkdtempSync(join(tmpdir(), "lfa-cli-conf-"));
  // Which config the CLI reads: lxc's for LXD, Incus's for Incus.
  const confEnv = env.server === "lxd" ? { LXD_CONF: dir, INCUS_CONF: undefined } : { INCUS_CONF: dir, LXD_CONF: undefined };
  const run = (...args: string[]) => cli(args, { env: confEnv, timeoutMs: 60_000 });
  const remote = `lfa-${unique()}`;
  const instance = `lfa-cli-${unique()}`;

  beforeAll(() =>
    writeFileSync(join(dir, "config.yml"), "default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\n"),
  );
  afterAll(async () => {
    await (await local.instances.delete("unix", instance, { force: true }).catch(() => undefined))?.wait().catch(() => undefined);
    await local.trust.remove("unix", fingerprintOf(join(dir, "client.crt"))).catch(() => undefined);
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("remote add --token verifies the server by the token's fingerprint, enrols, and writes config.yml", async () => {
    const { token } = await local.trust.createToken("unix", `lfa-cli-${unique()}`);
    const r = await run("remote", "add", remote, env.httpsUrl, "--token", token);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.toString()).toBe(`Client certificate now trusted by server: ${remote}\n`);
    expect(readFileSync(join(dir, "config.yml"), "utf8")).toContain(`  ${remote}:\n    addr: ${env.httpsUrl}\n`);
    expect(readFileSync(join(dir, "servercerts", `${remote}.crt`), "utf8")).toBe(env.serverCert);
    expect((await local.trust.list("unix")).map((c) => c.fingerprint)).toContain(fingerprintOf(join(dir, "client.crt")));
  });

  it("a second remote with the trusted certificate keeps the token unused; a revoked token enrols nobody", async () => {
    const spare = await local.trust.createToken("unix", `lfa-cli-${unique()}`);
    const again = await run("remote", "add", `${remote}-2`, env.httpsUrl, "--token", spare.token);
    expect(again.code).toBe(0);
    expect((await local.trust.tokens("unix")).map((t) => t.id)).toContain(spare.id);
    await local.trust.revokeToken("unix", spare.id);

    const other = mkdtempSync(join(tmpdir(), "lfa-cli-conf-"));
    try {
      writeFileSync(join(other, "config.yml"), "remotes: {}\n");
      const otherEnv = env.server === "lxd" ? { LXD_CONF: other, INCUS_CONF: undefined } : { INCUS_CONF: other, LXD_CONF: undefined };
      const r = await cli(["remote", "add", remote, env.httpsUrl, "--token", spare.token], { env: otherEnv });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^lxd-fetch: POST \/1\.0\/certificates on "lfa-[a-z0-9]+": 403 /);
      expect(readFileSync(join(other, "config.yml"), "utf8")).toBe("remotes: {}\n");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("a token naming another server certificate is refused before anything is sent", async () => {
    const { token, id } = await local.trust.createToken("unix", `lfa-cli-${unique()}`);
    try {
      const data = JSON.parse(Buffer.from(token, "base64").toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...data, fingerprint: "0".repeat(64) })).toString("base64");
      const r = await run("remote", "add", `${remote}-3`, env.httpsUrl, "--token", forged);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is not the one the token names/);
      expect((await local.trust.tokens("unix")).map((t) => t.id)).toContain(id); // not used
    } finally {
      await local.trust.revokeToken("unix", id);
    }
  });

  it("launch, list, stop, start, restart --force, delete (refused while running), delete --force", async () => {
    const launched = await run("launch", env.image, `${remote}:${instance}`, "-c", "user.lfa=cli");
    expect([launched.code, launched.stderr]).toEqual([0, `Creating ${instance}\nStarting ${instance}\n`]);
    const listed = JSON.parse((await run("list", `${remote}:`, "--format", "json")).stdout.toString()) as {
      name: string;
      status: string;
      config: Record<string, string>;
    }[];
    expect(listed.find((i) => i.name === instance)).toMatchObject({ status: "Running", config: { "user.lfa": "cli" } });
    expect((await run("list", `${remote}:`)).stdout.toString()).toMatch(new RegExp(`\\| ${instance} +\\| RUNNING `));

    expect((await run("stop", `${remote}:${instance}`)).code).toBe(0);
    expect((await local.instances.state("unix", instance)).status).toBe("Stopped");
    expect((await run("start", `${remote}:${instance}`)).code).toBe(0);
    expect((await run("restart", `${remote}:${instance}`, "--force")).code).toBe(0);
    expect((await local.instances.state("unix", instance)).status).toBe("Running");

    const refused = await run("delete", `${remote}:${instance}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^lxd-fetch: DELETE \/1\.0\/instances\/lfa-cli-[a-z0-9]+ on "lfa-[a-z0-9]+": 400 /);
    expect((await run("delete", `${remote}:${instance}`, "--force")).code).toBe(0);
    await expect(local.instances.get("unix", instance)).rejects.toMatchObject({ status: 404 });
  });
});
