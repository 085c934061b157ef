// The family commands (profile, project) through the CLI against the virtual LXD: lxc's list
// formats, show, and LXD's refusals as one-line errors with exit 1. Each run is a fresh virtual
// LXD, so each command is checked on its own.
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

const run = async (...args: string[]) => {
  const r = await cli(["--mock", ...args]);
  return { code: r.code, out: r.stdout.toString("utf8").trimEnd(), err: r.stderr.trimEnd() };
};

describe("family commands (--mock)", () => {
  it("profile list in lxc's formats: table, csv, compact, json, yaml", async () => {
    expect((await run("profile", "list")).out).toMatch(
      /\| NAME +\| DESCRIPTION +\| USED BY \|\n.*\n\| default +\| Default LXD profile \| 1 +\|/,
    );
    expect(await run("profile", "list", "--format", "csv")).toMatchObject({ code: 0, out: "default,Default LXD profile,1" });
    expect((await run("profile", "list", "--format", "compact")).out.split("\n")).toEqual([
      "NAME     DESCRIPTION          USED BY",
      "default  Default LXD profile  1",
    ]);
    expect(JSON.parse((await run("profile", "list", "--format", "json")).out)).toMatchObject([
      { name: "default", used_by: ["/1.0/instances/c1"] },
    ]);
    expect((await run("profile", "list", "--format", "yaml")).out).toMatch(/^- name: default\n/m);
  });

  it("profile show, create, get; project list and show", async () => {
    expect((await run("profile", "show", "default")).out).toMatch(/^description: Default LXD profile$/m);
    expect(await run("profile", "create", "p1", "-c", "limits.cpu=1")).toMatchObject({ code: 0, out: "" });
    expect(await run("profile", "get", "default", "limits.cpu")).toMatchObject({ code: 0, out: "" });
    expect((await run("project", "list", "--format", "csv")).out).toBe("default,YES,YES,YES,YES,Default LXD project,0");
    expect(JSON.parse((await run("project", "show", "default", "--format", "json")).out)).toMatchObject({ name: "default" });
  });

  it("LXD's refusals and usage errors: one line, exit 1 and 2", async () => {
    expect(await run("profile", "delete", "default")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: DELETE /1.0/profiles/default on "local": 403 The "default" profile cannot be deleted',
    });
    expect(await run("profile", "set", "default", "bogus=1")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/Unknown configuration key: bogus$/),
    });
    expect(await run("profile", "list", "--format", "xml")).toMatchObject({
      code: 2,
      err: "lxd-fetch: --format is one of table, csv, json, yaml, compact",
    });
    expect(await run("profile", "frob")).toMatchObject({ code: 2, err: expect.stringMatching(/^lxd-fetch: profile list\|show\|create/) });
    expect(await run("profile", "rename", "default")).toMatchObject({ code: 2, err: "lxd-fetch: profile rename [R:]<name> <new name>" });
  });
});
