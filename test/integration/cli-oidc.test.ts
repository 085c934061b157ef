// The CLI's OIDC remotes against the real Incus 6.0.4 and the real IdP (docs/oidc.md):
// `remote add --auth-type oidc` prints the device flow's URL and code, which the test approves as
// the user; tokens land in a 0600 file and are never printed; `remote list` says oidc; exec
// signs in from the cached tokens and refreshes them when due, without prompting again.
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { approveDevice } from "../support/idp-user.mjs";
import { CLI_COMMAND, cli, cliConfig } from "../support/cli.js";
import { describeServers } from "./lxd.js";

describeServers("real server: CLI with OIDC", (env) => {
  const config = cliConfig(env);
  afterAll(() => config.remove());
  if (env.server === "lxd") {
    it("LXD 5.0.2 has no OIDC: remote add fails with no prompt and writes nothing", async () => {
      const before = readFileSync(`${config.dir}/config.yml`, "utf8");
      const r = await cli(["remote", "add", "oidc1", env.httpsUrl, "--auth-type", "oidc", "--accept-certificate"], { env: config.env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/does not offer OIDC sign-in/);
      expect(r.stderr).not.toMatch(/enter the code/);
      expect(readFileSync(`${config.dir}/config.yml`, "utf8")).toBe(before);
    });
    return;
  }
  const tokenPath = `${config.dir}/lxd-fetch-oidc/oidc1.json`;

  it("remote add --auth-type oidc: the URL and code printed, the user approves, tokens in a 0600 file", { timeout: 60_000 }, async () => {
    const child = spawn(
      CLI_COMMAND[0],
      [...CLI_COMMAND.slice(1), "remote", "add", "oidc1", env.httpsUrl, "--auth-type", "oidc", "--accept-certificate"],
      {
        env: { ...process.env, ...config.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    let approving: Promise<string> | undefined;
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      const url = /\(or open (\S+)\)/.exec(stderr)?.[1];
      if (url && !approving) approving = approveDevice(url, "dave");
    });
    const code = await new Promise<number | null>((r) => child.on("close", r));
    await approving;
    expect({ code, stdout }).toEqual({ code: 0, stdout: "Signed in to oidc1 as dave (OIDC)\n" });
    expect(stderr).toMatch(/open http:\/\/127\.0\.0\.1:9999\/device and enter the code [A-Z]{4}-[A-Z]{4}/);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(tokenPath, "utf8"));
    for (const secret of [tokens.accessToken, tokens.refreshToken]) expect(`${stdout}${stderr}`).not.toContain(secret);
    expect(readFileSync(`${config.dir}/config.yml`, "utf8")).toMatch(/oidc1:\n\s+addr: https:\/\/127\.0\.0\.1:8444\n\s+auth_type: oidc/);
  });

  it("remote list shows the auth type", async () => {
    const r = await cli(["remote", "list"], { env: config.env });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/\| oidc1 +\| https:\/\/127\.0\.0\.1:8444 +\| oidc +\|/);
    expect(r.stdout.toString()).toMatch(/\| tls +\| https:\/\/127\.0\.0\.1:8444 +\| tls +\|/);
  });

  it("exec with the cached tokens, and a due token refreshed without a prompt", { timeout: 60_000 }, async () => {
    const first = await cli(["exec", `oidc1:${env.container}`, "--", "echo", "via-oidc"], { env: config.env });
    expect({ code: first.code, out: first.stdout.toString(), err: first.stderr }).toEqual({ code: 0, out: "via-oidc\n", err: "" });
    const before = JSON.parse(readFileSync(tokenPath, "utf8"));
    writeFileSync(tokenPath, JSON.stringify({ ...before, refreshAt: 0 }), { mode: 0o600 });
    const second = await cli(["exec", `oidc1:${env.container}`, "--", "echo", "refreshed"], { env: config.env });
    expect({ code: second.code, out: second.stdout.toString(), err: second.stderr }).toEqual({ code: 0, out: "refreshed\n", err: "" });
    const after = JSON.parse(readFileSync(tokenPath, "utf8"));
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
  });
});
