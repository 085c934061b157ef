// The instance verbs of the CLI as a spawned process against the virtual LXD (--mock): each
// process has its own virtual LXD, so every case is one command.
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

describe("CLI instance verbs against the virtual LXD", () => {
  it("launch creates and starts an instance from an image alias", async () => {
    const r = await cli(["--mock", "launch", "busybox", "web", "-c", "user.a=1", "--target", "m1"]);
    expect(r.stderr).toBe("Creating web\nStarting web\n");
    expect(r.code).toBe(0);
  });

  it("list prints a table, or JSON with --format json", async () => {
    const t = await cli(["--mock", "list"]);
    expect(t.code).toBe(0);
    expect(t.stdout.toString()).toMatch(/\| NAME +\| STATE +\| IPV4 \| TYPE +\| SNAPSHOTS \|[\s\S]*\| c1 +\| RUNNING \|/);
    const j = await cli(["--mock", "list", "--format", "json"]);
    expect(JSON.parse(j.stdout.toString())).toMatchObject([{ name: "c1", status: "Running", state: { status_code: 103 } }]);
  });

  it("stop and restart --force wait for their operation", async () => {
    for (const args of [
      ["stop", "c1"],
      ["restart", "c1", "--force"],
    ]) {
      const r = await cli(["--mock", ...args]);
      expect([args, r.code, r.stderr]).toEqual([args, 0, ""]);
    }
  });

  it("delete refuses a running instance; delete --force stops it first", async () => {
    const refused = await cli(["--mock", "delete", "c1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^lxd-fetch: DELETE \/1\.0\/instances\/c1 on "local": 400 Instance is running\n$/);
    expect((await cli(["--mock", "delete", "c1", "--force"])).code).toBe(0);
  });

  it("errors: an unknown image is one line and exit 1; usage errors exit 2", async () => {
    const r = await cli(["--mock", "launch", "nope", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Image not found/);
    for (const args of [
      ["launch", "busybox"],
      ["launch", "busybox", "x", "-c", "novalue"],
      ["list", "--format", "yaml"],
      ["start"],
      ["remote", "add", "x", "https://h"],
    ]) {
      const u = await cli(["--mock", ...args]);
      expect([args, u.code]).toEqual([args, 2]);
    }
  });
});
