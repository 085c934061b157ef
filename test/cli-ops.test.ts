// The CLI's warning, info, query and config commands as a spawned process against the virtual
// LXD (--mock), and their usage errors (exit 2, one line) before anything is sent.
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

describe("CLI warning, info, query, config on the virtual LXD", () => {
  it("warning list shows the virtual daemon's warnings (table, json); show and ack take a uuid", async () => {
    const table = await cli(["--mock", "warning", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout.toString()).toMatch(/UUID.*TYPE.*STATUS.*SEVERITY/);
    expect(table.stdout.toString()).toContain("AppArmor support has been disabled");
    const listed = JSON.parse((await cli(["--mock", "warning", "list", "--format", "json"])).stdout.toString()) as { uuid: string }[];
    expect(listed).toHaveLength(4);
    const show = await cli(["--mock", "warning", "show", listed[0]!.uuid]);
    expect(show.stdout.toString()).toContain(`uuid: ${listed[0]!.uuid}`);
    expect((await cli(["--mock", "warning", "ack", listed[0]!.uuid])).code).toBe(0);
    const missing = await cli(["--mock", "warning", "delete", "00000000-0000-4000-8000-00000000ffff"]);
    expect({ code: missing.code, err: missing.stderr }).toEqual({ code: 1, err: expect.stringMatching(/404 Warning not found\n$/) });
  });

  it("info and query", async () => {
    const info = JSON.parse((await cli(["--mock", "info", "--format", "json"])).stdout.toString()) as { api_extensions: string[] };
    expect(info.api_extensions).toContain("metrics");
    const q = await cli(["--mock", "query", "/1.0/warnings?recursion=1"]);
    expect((JSON.parse(q.stdout.toString()) as unknown[]).length).toBe(4);
    const raw = JSON.parse((await cli(["--mock", "query", "--raw", "/1.0/instances"])).stdout.toString()) as {
      type: string;
      metadata: string[];
    };
    expect(raw).toMatchObject({ type: "sync", metadata: ["/1.0/instances/c1"] });
  });

  it("usage errors are one line and exit 2", async () => {
    for (const args of [
      ["warning", "frobnicate"],
      ["warning", "show"],
      ["query", "1.0"],
      ["query", "/1.0", "-X", "TRACE"],
      ["query", "/1.0", "-d", "{nope"],
      ["config", "get"],
      ["config", "set", "k"],
      ["cluster", "evacuate", "m1"],
      ["info", "c1:x"],
    ]) {
      const r = await cli(["--mock", ...args]);
      expect({ args, code: r.code, lines: r.stderr.trimEnd().split("\n").length }).toEqual({ args, code: 2, lines: 1 });
    }
  });
});
