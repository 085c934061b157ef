// Instance copy and move between two virtual LXD servers in one test (pull, push, relay), within
// one (the server's own copy, a rename), the CRIU refusal and the failures that must leave
// nothing behind; and reading LXD's progress texts.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LiveMigrationError, MigrationError } from "../src/index.js";
import { readProgress } from "../src/capabilities/instance-copy.js";
import { useVirtualLxd } from "./support/virtual.js";

describe("instance copy and move between two virtual servers", () => {
  const v = useVirtualLxd();
  const two = () => v.startTwo();

  it("copies in pull, push and relay: config, devices and profiles arrive, volatile keys do not, the copy is stopped", async () => {
    const { a, b, lxd } = two();
    try {
      await lxd.instances.patch("a", "c1", { config: { "user.k": "v", "volatile.idmap.base": "0" } });
      for (const mode of ["pull", "push", "relay"] as const) {
        const done = await lxd.migration.copy(
          "a",
          "c1",
          { remote: "b", name: `c1-${mode}` },
          { mode, stateless: true, config: { "user.mode": mode } },
        );
        expect(done).toEqual({ remote: "b", name: `c1-${mode}`, project: undefined, mode });
        expect(b.instances.get(`c1-${mode}`)).toMatchObject({
          status: "Stopped",
          config: { "user.k": "v", "user.mode": mode },
          profiles: ["default"],
        });
        expect(b.instances.get(`c1-${mode}`)?.config["volatile.idmap.base"]).toBeUndefined();
      }
      expect(a.instances.get("c1")?.status).toBe("Running");
      expect(b.requests.filter((r) => r.startsWith("WS /1.0/operations"))).toHaveLength(2); // relay: control and fs
    } finally {
      await lxd.close();
    }
  });

  it("within one server the server copies (`source.type: copy`) and a move is a rename; between servers a move deletes the source", async () => {
    const { a, b, lxd } = two();
    try {
      expect((await lxd.migration.copy("a", "c1", { name: "c2" })).mode).toBe("local");
      expect(a.requests).not.toContain("POST /1.0/instances/c1");
      expect(a.instances.get("c2")?.status).toBe("Stopped");
      expect(await lxd.migration.move("a", "c2", { name: "c3" })).toEqual({ remote: "a", name: "c3", project: undefined, mode: "local" });
      expect([...a.instances.keys()]).toEqual(["c1", "c3"]);
      expect((await lxd.remote("a").migration.move("c3", { remote: "b" }, { mode: "relay" })).mode).toBe("relay");
      expect([...a.instances.keys()]).toEqual(["c1"]);
      expect([...b.instances.keys()]).toEqual(["c3"]);
    } finally {
      await lxd.close();
    }
  });

  it("refuses a live copy of a running instance with LiveMigrationError; a failed push leaves nothing on the target", async () => {
    const { a, b, lxd } = two();
    try {
      for (const mode of ["pull", "push", "relay"] as const) {
        const err = await lxd.migration.copy("a", "c1", { remote: "b" }, { mode }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LiveMigrationError);
        expect(err).toBeInstanceOf(MigrationError);
        expect((err as Error).message).toContain("CRIU isn't installed");
        expect(b.instances.size).toBe(0);
      }
      await expect(lxd.migration.copy("a", "nope", { remote: "b" }, { stateless: true })).rejects.toMatchObject({
        name: "LxdError",
        status: 404,
      });
      await expect(lxd.migration.copy("a", "c1", { remote: "b" }, { mode: "sideways" as never })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(a.instances.get("c1")?.status).toBe("Running");
    } finally {
      await lxd.close();
    }
  });
});

describe("progress", () => {
  it("reads LXD's *_progress texts (decimal units) and the structured progress of newer servers", () => {
    expect(readProgress("target", "b", { fs_progress: "c1: 37.72MB (18.44MB/s)" })).toEqual([
      { side: "target", remote: "b", stage: "fs_progress", text: "c1: 37.72MB (18.44MB/s)", bytes: 37_720_000 },
    ]);
    expect(readProgress("source", "a", { progress: { stage: "fs", percent: "40", processed: "1000" } })[0]).toMatchObject({
      stage: "fs",
      percent: 40,
      bytes: 1000,
    });
    expect(readProgress("source", "a", null)).toEqual([]);
  });
});
