// `storage` and `storage volume` through the spawned CLI against the virtual LXD (--mock): each
// run is a fresh virtual server, so each test is one command's output and exit code.
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

const run = async (...args: string[]) => {
  const r = await cli(["--mock", ...args]);
  return { code: r.code, out: r.stdout.toString(), err: r.stderr };
};

describe("CLI storage against the virtual LXD", () => {
  it("storage list shows the default dir pool in lxc's columns (csv, json)", async () => {
    expect(await run("storage", "list", "--format", "csv")).toEqual({
      code: 0,
      out: "default,dir,/var/lib/lxd/storage-pools/default,,0,CREATED\n",
      err: "",
    });
    const json = JSON.parse((await run("storage", "list", "--format", "json")).out) as { name: string; driver: string }[];
    expect(json.map((p) => [p.name, p.driver])).toEqual([["default", "dir"]]);
  });

  it("storage show and info: the pool as YAML, its space as lxc prints it", async () => {
    expect((await run("storage", "show", "default")).out).toMatch(/^driver: dir$/m);
    const info = await run("storage", "info", "default");
    expect(info.out).toMatch(
      /^info:\n {2}description: ""\n {2}driver: dir\n {2}name: default\n {2}space used: 0B\n {2}total space: 100\.00GiB\nused by: \{\}\n$/,
    );
  });

  it("storage create takes the driver as lxc does; refusals are one line with lxc's exit codes", async () => {
    expect(await run("storage", "create", "p1", "dir", "user.a=1")).toEqual({ code: 0, out: "", err: "" });
    expect(await run("storage", "create", "p1")).toEqual({
      code: 2,
      out: "",
      err: "lxd-fetch: storage create [R:]<pool> <driver> [key=value...]\n",
    });
    expect(await run("storage", "create", "p1", "ext9")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^lxd-fetch: storagePools\.create: unknown storage driver "ext9"/),
    });
    expect(await run("storage", "rename", "default", "x")).toEqual({
      code: 2,
      out: "",
      err: "lxd-fetch: storage pools cannot be renamed (LXD has no pool rename)\n",
    });
    expect(await run("storage", "get", "nope", "x")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: GET /1.0/storage-pools/nope on "local": 404 Storage pool not found\n',
    });
  });

  it("storage volume create, list and show in one virtual server's life: a usage error for a missing volume word", async () => {
    expect(await run("storage", "volume", "create", "default")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^lxd-fetch: storage volume create /),
    });
    expect(await run("storage", "volume", "list", "default", "--format", "csv")).toEqual({ code: 0, out: "\n", err: "" });
    expect(await run("storage", "volume", "show", "nope", "v1")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: GET /1.0/storage-pools/nope/volumes/custom/v1 on "local": 404 Storage pool not found\n',
    });
  });
});
