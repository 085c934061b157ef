// Type tests of warnings, metrics, server config, cluster management and the instance extras,
// checked by `tsc -p .`, never run: both the flat form (the remote first) and a connection's.
import { expectTypeOf } from "vitest";
import type {
  ClusterGroup,
  ClusterInfo,
  ClusterMember,
  InstanceMetadata,
  Lxd,
  LxdOperation,
  MetricFamily,
  Metrics,
  MetricSample,
  ServerConfig,
  ServerResources,
  ServerWriteOperation,
  Warning,
} from "../../src/index.js";

declare const lxd: Lxd;

export async function warnings() {
  expectTypeOf(await lxd.warnings.list()).toEqualTypeOf<string[]>();
  expectTypeOf(await lxd.warnings.list("local", { recursion: true })).toEqualTypeOf<Warning[]>();
  const conn = lxd.remote("local");
  expectTypeOf(await conn.warnings.list({ recursion: true, allProjects: true })).toEqualTypeOf<Warning[]>();
  expectTypeOf(await conn.warnings.get("u")).toEqualTypeOf<Warning>();
  expectTypeOf(await conn.warnings.acknowledge("u")).toEqualTypeOf<LxdOperation | undefined>();
  await conn.warnings.update("u", { status: "new" });
  // @ts-expect-error a client cannot resolve a warning
  await conn.warnings.update("u", { status: "resolved" });
  // @ts-expect-error LXD creates warnings, a client does not
  await conn.warnings.create({});
  expectTypeOf(await conn.warnings.get("u", (w) => w.status)).toEqualTypeOf<string | undefined>();
}

export async function metrics() {
  expectTypeOf(await lxd.metrics.text()).toEqualTypeOf<string>();
  const m = await lxd.remote("local").metrics.get({ project: "p", target: "m1" });
  expectTypeOf(m).toEqualTypeOf<Metrics>();
  expectTypeOf(m.families).toEqualTypeOf<MetricFamily[]>();
  expectTypeOf(m.samples[0]!).toEqualTypeOf<MetricSample>();
  expectTypeOf(m.samples[0]!.value).toEqualTypeOf<number>();
  expectTypeOf(m.samples[0]!.labels).toEqualTypeOf<Record<string, string>>();
  // @ts-expect-error metrics take no positional argument
  await lxd.remote("local").metrics.get("x");
}

export async function server() {
  const conn = lxd.remote("local");
  expectTypeOf(await conn.server.config()).toEqualTypeOf<ServerConfig>();
  // Undefined when done at once; the operation where a newer server runs the write as one.
  expectTypeOf(await lxd.server.patchConfig("local", { "user.a": "" })).toEqualTypeOf<ServerWriteOperation | undefined>();
  expectTypeOf(await conn.server.updateConfig({}, { wait: true })).toEqualTypeOf<ServerWriteOperation | undefined>();
  // What a newer server answers is an LxdOperation.
  expectTypeOf<LxdOperation>().toMatchTypeOf<ServerWriteOperation>();
  // @ts-expect-error wait is a boolean
  await conn.server.patchConfig({}, { wait: 1 });
  await conn.server.updateConfig({ "core.https_address": ":8443" }, { target: "m1" });
  // @ts-expect-error config values are strings
  await conn.server.patchConfig({ "user.a": 1 });
  expectTypeOf(await conn.server.resources()).toEqualTypeOf<ServerResources>();
  expectTypeOf(await conn.server.require(["warnings", "metrics"])).toEqualTypeOf<void>();
}

export async function cluster() {
  const c = lxd.remote("cluster").cluster;
  expectTypeOf(await c.info()).toEqualTypeOf<ClusterInfo>();
  expectTypeOf(await c.members()).toEqualTypeOf<ClusterMember[]>();
  expectTypeOf(await c.evacuate("m1", { mode: "stop" })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await c.restore("m1")).toEqualTypeOf<LxdOperation>();
  // @ts-expect-error not an evacuation mode
  await c.evacuate("m1", { mode: "teleport" });
  await c.setMemberGroups("m1", ["default", "gpu"]);
  await c.patchMember("m1", { description: "d" });
  expectTypeOf(await c.groups.list({ recursion: true })).toEqualTypeOf<ClusterGroup[]>();
  await c.groups.create({ name: "g", description: "", members: [] });
  // @ts-expect-error a group's members are names
  await c.groups.create({ name: "g", members: [1] });
}

export async function instanceExtras() {
  const i = lxd.remote("local").instances;
  expectTypeOf(await i.logs.list("c1")).toEqualTypeOf<string[]>();
  expectTypeOf(await i.logs.get("c1", "lxc.log")).toEqualTypeOf<string>();
  expectTypeOf(await i.metadata.get("c1")).toEqualTypeOf<InstanceMetadata>();
  expectTypeOf(await i.metadata.templates.list("c1")).toEqualTypeOf<string[]>();
  await i.metadata.templates.put("c1", "hostname.tpl", new Uint8Array());
  expectTypeOf(await i.rebuild("c1", null)).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await lxd.instances.rebuild("local", "c1", { fingerprint: "abc" })).toEqualTypeOf<LxdOperation>();
  expectTypeOf(await i.setAllStates({ action: "stop", force: true }, { project: "p" })).toEqualTypeOf<LxdOperation>();
  // @ts-expect-error not a state action
  await i.setAllStates({ action: "explode" });
}
