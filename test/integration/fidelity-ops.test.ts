// Mock fidelity of warnings and metrics: the same scenarios against each real server and the
// virtual LXD (src/mock/warnings.ts, metrics.ts), results compared. The real runs come first,
// before MSW intercepts anything. A warning acknowledged on a real server is reset at once.
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd, type Lxd } from "../../src/index.js";
import { createVirtualLxd } from "../../src/mock/index.js";
import { describeServers } from "./lxd.js";

type Scenario = (lxd: Lxd, instance: string) => Promise<unknown>;
const UNKNOWN = "00000000-0000-4000-8000-00000000ffff";
const failure = (e: unknown) => ({
  error: (e as Error).name,
  status: (e as { status?: number }).status,
  message: (e as { lxdMessage?: string }).lxdMessage,
});
const raw = async (lxd: Lxd, status: string) => {
  const r = await lxd.api().PATCH("/1.0/warnings/{uuid}", { params: { path: { uuid: UNKNOWN } }, body: { status } });
  return { status: r.response.status, error: (r.error as { error?: string } | undefined)?.error };
};
// The families the virtual LXD serves, without the server's prefix (lxd_, incus_).
const FAMILIES = ["cpu_seconds_total", "memory_MemTotal_bytes", "memory_RSS_bytes", "procs_total"];

const scenarios: Record<string, Scenario> = {
  "warnings: host warnings are in no project, new and low": async (lxd) => {
    const all = await lxd.warnings.list(undefined, { recursion: true });
    return {
      some: all.length > 0,
      projects: [...new Set(all.map((w) => w.project))],
      inDefault: await lxd.warnings.list(undefined, { project: "default" }),
      severities: [...new Set(all.map((w) => w.severity))],
      apparmor: all.filter((w) => w.type === "AppArmor support has been disabled").map((w) => [w.status, w.last_message]),
    };
  },
  "warnings: acknowledge and reset": async (lxd) => {
    const [w] = await lxd.warnings.list(undefined, { recursion: true, filter: "status eq new" });
    await lxd.warnings.acknowledge(undefined, w!.uuid!);
    const acked = (await lxd.warnings.get(undefined, w!.uuid!)).status;
    await lxd.warnings.update(undefined, w!.uuid!, { status: "new" });
    return [acked, (await lxd.warnings.get(undefined, w!.uuid!)).status];
  },
  "warnings: lifecycle events of acknowledge and reset": async (lxd) => {
    const sub = lxd.events(undefined, { types: ["lifecycle"] });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of sub) {
        const m = e.metadata as { action: string; source: string };
        if (m.action.startsWith("warning-")) seen.push(`${m.action} ${m.source.replace(/[0-9a-f-]{36}$/, "<uuid>")}`);
      }
    })().catch(() => undefined);
    await sub.ready;
    const [w] = await lxd.warnings.list(undefined, { recursion: true, filter: "status eq new" });
    await lxd.warnings.acknowledge(undefined, w!.uuid!);
    await lxd.warnings.update(undefined, w!.uuid!, { status: "new" });
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    sub.close();
    await reading;
    return seen;
  },
  "warnings: unknown uuid (get, delete)": async (lxd) => [
    await lxd.warnings.get(undefined, UNKNOWN).catch(failure),
    await lxd.warnings.delete(undefined, UNKNOWN).catch(failure),
  ],
  "warnings: refused statuses and filters": async (lxd) => ({
    resolved: await raw(lxd, "resolved"),
    bogus: await raw(lxd, "bogus"),
    filter: await lxd.warnings.list(undefined, { filter: "bogus zz" }).catch(failure),
  }),
  "metrics: the instance's samples in the served families": async (lxd, c) => {
    const m = await lxd.metrics.get();
    const text = m.text.trimEnd();
    return {
      eof: text.endsWith("# EOF"),
      families: FAMILIES.map((name) => {
        const f = m.families.find((x) => x.name.replace(/^(lxd|incus)_/, "") === name);
        const mine = f?.samples.filter((s) => s.labels.name === c) ?? [];
        return {
          name,
          type: f?.type,
          help: f?.help,
          labels: Object.keys(mine[0]?.labels ?? {}).sort(),
          positive: mine.every((s) => s.value >= 0),
        };
      }),
      // At least init: the exact count moves with the execs other suites run in the container.
      procs: (m.samples.find((s) => s.name.endsWith("_procs_total") && s.labels.name === c)?.value ?? 0) >= 1,
    };
  },
};

describeServers("mock fidelity: warnings and metrics", (env) => {
  const real: Record<string, unknown> = {};
  const mock: Record<string, unknown> = {};
  const server = setupServer();

  beforeAll(async () => {
    const lxd = createLxd({ remotes: { r: { socket: env.socket } }, defaultRemote: "r" });
    for (const [name, s] of Object.entries(scenarios)) real[name] = await s(lxd, env.container);
    await lxd.close();
    const virtual = createVirtualLxd({ instances: [env.container] });
    server.use(...virtual.handlers);
    server.listen({ onUnhandledRequest: "error" });
    const vlxd = createLxd({ remotes: { v: { url: virtual.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket });
    for (const [name, s] of Object.entries(scenarios)) mock[name] = await s(vlxd, env.container);
    await vlxd.close();
  }, 120_000);
  afterAll(() => server.close());

  it.each(Object.keys(scenarios))("%s", (name) => {
    expect(real[name]).toBeDefined();
    expect(mock[name]).toEqual(real[name]);
  });
});
