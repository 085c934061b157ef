// Bad input to warnings, metrics, server config, cluster management and the instance extras: a
// typed InvalidArgumentError before anything is sent (the virtual LXD logs every request).
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, type Lxd } from "../src/index.js";
import { useVirtualLxd } from "./support/virtual.js";

type Bad = [what: string, call: (lxd: Lxd) => Promise<unknown>];
const bad: Bad[] = [
  ["warnings.get: a uuid with /", (l) => l.warnings.get("v", "a/b")],
  ["warnings.delete: empty uuid", (l) => l.warnings.delete("v", "")],
  ["warnings.update: resolved", (l) => l.warnings.update("v", "u", { status: "resolved" as "new" })],
  ["warnings.patch: not a string", (l) => l.warnings.patch("v", "u", { status: 1 as unknown as "new" })],
  ["warnings.patch: no status (LXD's 400)", (l) => l.warnings.patch("v", "u", {} as never)],
  ["warnings.list: project and allProjects", (l) => l.warnings.list("v", { project: "p", allProjects: true })],
  ["metrics.get: target with ..", (l) => l.metrics.get("v", { target: ".." })],
  ["server.patchConfig: a number", (l) => l.server.patchConfig("v", { "user.x": 1 as unknown as string })],
  ["server.updateConfig: an array", (l) => l.server.updateConfig("v", [] as never)],
  ["server.resources: target with /", (l) => l.server.resources("v", { target: "m/1" })],
  ["server.require: no name", (l) => l.server.require("v", "")],
  ["cluster.member: NUL", (l) => l.cluster.member("v", "m\u00001")],
  ["cluster.patchMember: groups not an array", (l) => l.cluster.patchMember("v", "m1", { groups: "g" as never })],
  ["cluster.updateMember: config value not a string", (l) => l.cluster.updateMember("v", "m1", { config: { a: true } as never })],
  ["cluster.setMemberGroups: a group with /", (l) => l.cluster.setMemberGroups("v", "m1", ["a/b"])],
  ["cluster.evacuate: unknown mode", (l) => l.cluster.evacuate("v", "m1", { mode: "fly" as "stop" })],
  ["cluster.groups.create: name with /", (l) => l.cluster.groups.create("v", { name: "a/b" })],
  ["instances.logs.get: ../", (l) => l.instances.logs.get("v", "c1", "../x")],
  ["instances.logs.delete: nested", (l) => l.instances.logs.delete("v", "c1", "a/b")],
  ["instances.metadata.update: null", (l) => l.instances.metadata.update("v", "c1", null as never)],
  ["instances.metadata.templates.put: a number", (l) => l.instances.metadata.templates.put("v", "c1", "t", 1 as never)],
  ["instances.rebuild: empty alias", (l) => l.instances.rebuild("v", "c1", "")],
  ["instances.rebuild: an object of neither form", (l) => l.instances.rebuild("v", "c1", {} as never)],
  ["instances.setAllStates: unknown action", (l) => l.instances.setAllStates("v", { action: "nap" as "stop" })],
  ["instances.setAllStates: negative timeout", (l) => l.instances.setAllStates("v", { action: "stop", timeout: -5 })],
];

describe("bad input to the new calls is refused before sending", () => {
  const v = useVirtualLxd();
  it.each(bad)("%s", async (_, call) => {
    const { client, lxd } = v.start();
    await expect(call(client)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(lxd.requests).toEqual([]);
  });
});
