// The per-capability functions over one shared core (docs/web-apps.md): each works on its own, they share
// the core's state (one events socket for events and exec), and the core's close() ends it all.
import { describe, expect, it } from "vitest";
import {
  createLxdBase,
  InvalidArgumentError,
  lxdApi,
  lxdEvents,
  lxdExec,
  lxdGet,
  lxdInstances,
  lxdList,
  lxdListOperations,
  lxdNetworks,
  lxdOperations,
  lxdRun,
  lxdTrack,
  networkForwardsFamily,
  networksFamily,
  profilesFamily,
  UnsupportedError,
} from "../src/index.js";
import { createVirtualLxd } from "../src/mock/index.js";
import { createTokenOperation } from "./support/token.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

function base() {
  const lxd = createVirtualLxd({ instances: ["c1"] });
  v.server.use(...lxd.handlers);
  return createLxdBase({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket });
}

describe("per-capability functions", () => {
  it("operations alone list, show and cancel an operation", async () => {
    const b = base();
    try {
      const id = await createTokenOperation(lxdApi(b)());
      const ops = lxdOperations(b);
      expect((await ops.list()).running).toContain(`/1.0/operations/${id}`);
      expect((await ops.info(undefined, id)).id).toBe(id);
      await ops.cancel(undefined, id);
      expect((await ops.list(undefined, { recursion: true })).running ?? []).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it("exec and run share the core's operations and events with lxdEvents", async () => {
    const b = base();
    try {
      const seen: string[] = [];
      const sub = lxdEvents(b)(undefined, { types: ["operation"] });
      const reading = (async () => {
        for await (const e of sub) seen.push((e.metadata as { description?: string }).description ?? "");
      })();
      const proc = await lxdExec(b)(undefined, "c1", ["sh", "-c", "echo hi"]);
      expect((await proc.exited).exitCode).toBe(0);
      const r = await lxdRun(b)(undefined, "c1", ["sh", "-c", "exit 3"]);
      expect(r.exitCode).toBe(3);
      expect(seen).toContain("Executing command");
      sub.close();
      await reading;
      expect(lxdInstances(b).state).toBeTypeOf("function");
    } finally {
      await b.close();
    }
  });

  it("a tracked operation and the base's remotes", async () => {
    const b = base();
    expect(b.remotes).toEqual(["local", "v"]);
    expect(lxdTrack(b)(undefined, "0b0c4e6e-2c7f-4a3e-9a8c-7f4c2b7d9e10").id).toBe("0b0c4e6e-2c7f-4a3e-9a8c-7f4c2b7d9e10");
    await b.close();
    await expect(lxdOperations(b).list()).rejects.toThrow(InvalidArgumentError);
    expect(() => lxdApi(b)()).toThrow(/closed/);
  });

  it("lxdListOperations alone lists as operations.list does, with its options and mutator", async () => {
    const b = base();
    try {
      const id = await createTokenOperation(lxdApi(b)());
      const list = lxdListOperations(b);
      expect(await list()).toEqual(await lxdOperations(b).list());
      expect((await list(undefined, { recursion: true })).running?.map((op) => op.id)).toContain(id);
      expect(await list(undefined, (ops) => Object.keys(ops))).toContain("running");
      await expect(list(undefined, { recursion: "yes" as never })).rejects.toThrow(InvalidArgumentError);
      await lxdOperations(b).cancel(undefined, id);
    } finally {
      await b.close();
    }
  });

  it("lxdList and lxdGet read a family alone, as the family's own calls do", async () => {
    const b = base();
    try {
      const networks = lxdNetworks(b);
      const config = { "ipv4.address": "none", "ipv6.address": "none" };
      await networks.create(undefined, { name: "br1", description: "one", config });
      const names = await lxdList(b, networksFamily)();
      expect(names).toEqual(await networks.list());
      expect(names).toContain("br1");
      const objects = await lxdList(b, networksFamily)(undefined, { recursion: true });
      expect(objects.find((n) => n.name === "br1")).toMatchObject({ description: "one", config });
      expect(await lxdGet(b, networksFamily)(undefined, "br1")).toEqual(await networks.get(undefined, "br1"));
      expect(await lxdGet(b, networksFamily)(undefined, "br1", (n) => n.description)).toBe("one");
      await expect(lxdGet(b, networksFamily)(undefined, "nope")).rejects.toMatchObject({ name: "LxdError", status: 404 });
      expect(await lxdList(b, profilesFamily)()).toContain("default");
    } finally {
      await b.close();
    }
  });

  it("lxdList and lxdGet refuse bad input unsent, and name a missing extension", async () => {
    const sent: string[] = [];
    const lxd = createVirtualLxd({ apiExtensions: [] });
    v.server.use(...lxd.handlers);
    const b = createLxdBase({
      remotes: { v: { url: lxd.baseUrl } },
      defaultRemote: "v",
      hooks: { beforeRequest: [(_r, ctx) => void sent.push(`${ctx.method} ${ctx.path}`)] },
    });
    try {
      await expect(lxdGet(b, profilesFamily)(undefined, "../x")).rejects.toThrow(/profiles\.get: name "\.\.\/x" is not a valid name/);
      await expect(lxdList(b, profilesFamily)(undefined, { project: "a/b" })).rejects.toThrow(InvalidArgumentError);
      await expect(lxdList(b, profilesFamily)(undefined, { project: "p", allProjects: true })).rejects.toThrow(/exclude each other/);
      await expect(lxdList(b, networkForwardsFamily)(undefined, "a/b")).rejects.toThrow(/networkForwards\.list: networkName/);
      expect(sent).toEqual([]);
      // The family's extension is checked first (GET /1.0 only), its list never sent.
      await expect(lxdList(b, networkForwardsFamily)(undefined, "br0")).rejects.toThrow(UnsupportedError);
      await expect(lxdList(b, profilesFamily)(undefined, { allProjects: true })).rejects.toThrow(/profiles_all_projects/);
      // A server without the extension would ignore the filter and answer every profile.
      await expect(lxdList(b, profilesFamily)(undefined, { filter: "name eq p1" })).rejects.toThrow(
        'profiles.list({ filter }) needs the API extension "api_filtering_extended"',
      );
      expect(sent).toEqual(["GET /1.0"]);
      // As the virtual LXD does, like LXD.
      const raw = await lxdApi(b)().GET("/1.0/profiles", { querySerializer: () => "filter=name%20eq%20nope" });
      expect(raw.data?.metadata).toEqual(["/1.0/profiles/default"]);
    } finally {
      await b.close();
    }
  });

  it("a filter goes to a server that has api_filtering_extended, and the virtual LXD applies it then", async () => {
    const urls: string[] = [];
    const lxd = createVirtualLxd({ apiExtensions: ["api_filtering_extended"] });
    v.server.use(...lxd.handlers);
    const b = createLxdBase({
      remotes: { v: { url: lxd.baseUrl } },
      defaultRemote: "v",
      hooks: { beforeRequest: [(r) => void urls.push(new URL(r.url).pathname + new URL(r.url).search)] },
    });
    try {
      expect(await lxdList(b, profilesFamily)(undefined, { filter: "name eq default" })).toEqual(["default"]);
      expect(await lxdList(b, profilesFamily)(undefined, { filter: "name eq nope" })).toEqual([]);
      expect(urls).toEqual(["/1.0", "/1.0/profiles?filter=name%20eq%20default", "/1.0/profiles?filter=name%20eq%20nope"]);
    } finally {
      await b.close();
    }
  });

  it("unknown remotes are refused before anything is sent", async () => {
    const b = base();
    await expect(lxdOperations(b).list("nope")).rejects.toThrow(/unknown remote "nope"/);
    await b.close();
  });
});
