// Warnings and metrics on the virtual LXD (src/mock/warnings.ts, src/mock/metrics.ts): the calls
// of src/capabilities/warnings.ts and metrics.ts against LXD 5.0.2's answers, codes and messages
// as measured on the real server (test/integration/warnings.test.ts, metrics.test.ts).
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, parseMetrics, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { useVirtualLxd } from "./support/virtual.js";

const UNKNOWN = "00000000-0000-4000-8000-00000000ffff";

describe("warnings on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("lists the daemon's start-up warnings as uuids and objects; filter and project select as LXD does", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const uuids = [...virtual.warnings.keys()];
    expect(uuids).toHaveLength(4);
    expect((await lxd.warnings.list("v")).sort()).toEqual([...uuids].sort());
    const all = await lxd.warnings.list("v", { recursion: true });
    expect(all.map((w) => w.type)).toContain("AppArmor support has been disabled");
    expect(await lxd.warnings.list("v", { filter: "severity eq high" })).toEqual([]);
    const apparmor = await lxd.warnings.list("v", { recursion: true, filter: 'type eq "AppArmor support has been disabled"' });
    expect(apparmor).toHaveLength(1);
    expect(await lxd.warnings.list("v", { project: "default" })).toEqual([]);
    expect((await lxd.remote("v").project("default").warnings.list({ allProjects: true })).sort()).toEqual([...uuids].sort());
    await expect(lxd.warnings.list("v", { filter: "bogus zz" })).rejects.toMatchObject({
      status: 500,
      lxdMessage: "Failed to filter warnings: clause has no value",
    });
  });

  it("get, acknowledge, reset, delete; LXD's refusals typed", async () => {
    const { client: lxd, lxd: virtual } = v.start();
    const [uuid] = [...virtual.warnings.keys()];
    expect((await lxd.warnings.get("v", uuid!)).status).toBe("new");
    await lxd.warnings.acknowledge("v", uuid!);
    expect(virtual.warnings.get(uuid!)?.status).toBe("acknowledged");
    await lxd.warnings.update("v", uuid!, { status: "new" });
    expect(virtual.warnings.get(uuid!)?.status).toBe("new");
    await lxd.warnings.delete("v", uuid!);
    expect(virtual.warnings.has(uuid!)).toBe(false);
    const err = await lxd.warnings.get("v", uuid!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: 404, lxdMessage: "Warning not found" });
    await expect(lxd.warnings.delete("v", UNKNOWN)).rejects.toMatchObject({ status: 404, lxdMessage: "Warning not found" });
    // As LXD 5.0.2: a status change of an unknown uuid is answered 200.
    await expect(lxd.warnings.acknowledge("v", UNKNOWN)).resolves.toBeUndefined();
    // What the library refuses before sending, the server refuses too.
    await expect(lxd.warnings.patch("v", UNKNOWN, { status: "resolved" as "new" })).rejects.toBeInstanceOf(InvalidArgumentError);
    const raw = await lxd.api().PATCH("/1.0/warnings/{uuid}", { params: { path: { uuid: UNKNOWN } }, body: { status: "resolved" } });
    expect(raw.response.status).toBe(403);
    expect((raw.error as { error: string }).error).toBe('Status may only be set to "acknowledge" or "new"');
    const bad = await lxd.api().PUT("/1.0/warnings/{uuid}", { params: { path: { uuid: UNKNOWN } }, body: { status: "bogus" } });
    expect((bad.error as { error: string }).error).toBe('Invalid warning type "bogus"');
  });

  it("UnsupportedError naming the extension where the server lacks warnings or metrics, nothing else sent", async () => {
    const { client: lxd, lxd: virtual } = v.start({
      apiExtensions: LXD_5_0_2_EXTENSIONS.filter((e) => e !== "warnings" && e !== "metrics"),
    });
    const w = await lxd.warnings.list("v").catch((e: unknown) => e);
    expect(w).toBeInstanceOf(UnsupportedError);
    expect((w as UnsupportedError).extension).toBe("warnings");
    await expect(lxd.metrics.text("v")).rejects.toMatchObject({ extension: "metrics" });
    expect(virtual.requests.filter((r) => !r.startsWith("GET /1.0 ") && r !== "GET /1.0")).toEqual([]);
  });
});

describe("metrics on the virtual LXD", () => {
  const v = useVirtualLxd();

  it("the text in LXD 5.0.2's form, parsed with the running instances' samples", async () => {
    const { client: lxd } = v.start({ instances: ["c1", "c2"] });
    const text = await lxd.metrics.text("v");
    expect(text.trimEnd().endsWith("# EOF")).toBe(true);
    const m = await lxd.metrics.get("v");
    expect(m.text).toBe(text);
    expect(m).toMatchObject(parseMetrics(text));
    expect(m.families.map((f) => [f.name, f.type])).toEqual([
      ["lxd_cpu_seconds_total", "counter"],
      ["lxd_memory_MemTotal_bytes", "gauge"],
      ["lxd_memory_RSS_bytes", "gauge"],
      ["lxd_procs_total", "gauge"],
    ]);
    expect(m.samples.filter((s) => s.name === "lxd_procs_total").map((s) => [s.labels.name, s.value])).toEqual([
      ["c1", 2],
      ["c2", 2],
    ]);
    expect((await lxd.metrics.get("v", { project: "other" })).samples).toEqual([]);
    await expect(lxd.metrics.get("v", { project: "a/b" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
