// The real 3-member LXD 5.0.2 cluster (scripts/lxd-cluster-up.sh): members, placement with
// `target`, exec on every member's instance through every member, operations and events of all
// members with their `location`, and a member crashing under a run of execs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createLxd, type Lxd, LxdFetchError, type LxdEvent, type Operation } from "../../src/index.js";
import { type ClusterEnv, describeCluster } from "./lxd.js";

const sh = promisify(execFile);
const SCRIPT = new URL("../../scripts/lxd-cluster-up.sh", import.meta.url).pathname;
const cluster = (...args: string[]) => sh("bash", [SCRIPT, ...args], { timeout: 120_000 });
const PREFIX = `lfc-${Math.random().toString(36).slice(2, 7)}`;

function clientOf(env: ClusterEnv, urls: string[]): Lxd {
  const tls = { ca: env.serverCert, cert: env.clientCert, key: env.clientKey };
  return createLxd({ remotes: { c: { url: urls, ...tls } }, defaultRemote: "c" });
}

/** Until every member says it is Online and fully operational (heartbeats lag a restart). */
async function healthy(lxd: Lxd, deadline = Date.now() + 60_000): Promise<string[]> {
  for (;;) {
    const states = (await lxd.cluster.members().catch(() => [])).map((m) => `${m.server_name} ${m.status} ${m.message}`);
    if (states.length === 3 && states.every((s) => s.endsWith("Online Fully operational"))) return states;
    if (Date.now() > deadline) throw new Error(`cluster not healthy: ${states.join("; ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describeCluster("cluster", (env) => {
  const names = env.members.map((m) => m.name);
  const clients = env.members.map((m) => clientOf(env, [m.url]));
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  it("lists its three members, each Online, through each member", async () => {
    for (const lxd of clients) {
      const members = await lxd.cluster.members();
      expect(members.map((m) => [m.server_name, m.url, m.status])).toEqual(env.members.map((m) => [m.name, m.url, "Online"]));
    }
    expect((await clients[1]!.cluster.member(undefined, "m3")).url).toBe(env.members[2]!.url);
  });

  it("places an instance on the member named by `target`; its operation's location is that member", async () => {
    const lxd = clients[0]!;
    try {
      for (const target of names) {
        const { data, response } = await lxd.api().POST("/1.0/instances", {
          params: { query: { target } },
          body: { name: `${PREFIX}-${target}`, source: { type: "image", alias: env.image } },
        });
        expect(response.status).toBe(202);
        const created: Operation = await lxd.operations.wait(undefined, (data as { metadata: Operation }).metadata.id, { timeout: 60_000 });
        expect(created.location).toBe(target);
      }
      const { data } = await lxd.api().GET("/1.0/instances", { params: { query: { recursion: 1 } as never } });
      const placed = (data as unknown as { metadata: { name: string; location: string }[] }).metadata.filter((i) =>
        i.name.startsWith(PREFIX),
      );
      expect(placed.map((i) => `${i.name} ${i.location}`).sort()).toEqual(names.map((m) => `${PREFIX}-${m} ${m}`));
    } finally {
      for (const target of names) {
        const { data } = await lxd.api().DELETE("/1.0/instances/{name}", { params: { path: { name: `${PREFIX}-${target}` } } });
        const id = (data as { metadata?: Operation } | undefined)?.metadata?.id;
        if (id) await lxd.operations.wait(undefined, id, { timeout: 60_000 });
      }
    }
  });

  it("a connection targeted at m2 places instances.create there without a per-call option", async () => {
    const lxd = clients[0]!;
    const m2 = lxd.remote().target("m2");
    const name = `${PREFIX}-target`;
    try {
      const created = await (await m2.instances.create(name, env.image)).wait({ timeout: 60_000 });
      expect(created.location).toBe("m2");
      // Read through the untargeted connection: the cluster says where it is.
      expect((await lxd.remote().instances.get(name)).location).toBe("m2");
    } finally {
      await (await lxd.instances.delete(undefined, name, { force: true }).catch(() => undefined))
        ?.wait({ timeout: 60_000 })
        .catch(() => undefined);
    }
  });

  it("runs a command on every member's instance through every member: streams, exit code, stdin", async () => {
    for (const [i, lxd] of clients.entries()) {
      for (const m of env.members) {
        const r = await lxd.run(undefined, m.container, ["sh", "-c", `echo out-${m.name}; echo err >&2; exit 3`]);
        expect([r.exitCode, r.text(), r.text("stderr")], `${m.container} through ${names[i]}`).toEqual([3, `out-${m.name}\n`, "err\n"]);
        const echo = await lxd.run(undefined, m.container, ["cat"], { input: `in-${m.name}-${i}\n` });
        expect([echo.exitCode, echo.text()]).toEqual([0, `in-${m.name}-${i}\n`]);
      }
    }
  });

  it("lists every member's operations with their location, sees their events, and waits through one member", async () => {
    const lxd = clients[0]!;
    const seen = new Set<string>();
    const sub = lxd.events(undefined, { types: ["operation"] });
    const collecting = (async () => {
      for await (const e of sub as AsyncIterable<LxdEvent>) if (e.type === "operation" && e.location) seen.add(e.location);
    })();
    await sub.ready;
    // A detached command (no websockets) keeps its operation running on the instance's member.
    const ids: string[] = [];
    for (const m of env.members) {
      const { data } = await lxd.api().POST("/1.0/instances/{name}/exec", {
        params: { path: { name: m.container } },
        body: { command: ["sleep", "2"], "wait-for-websocket": false, interactive: false },
      });
      ids.push((data as { metadata: Operation }).metadata.id);
    }
    const all = await lxd.operations.list(undefined, { recursion: true });
    const ours = (all.running ?? []).filter((o) => ids.includes(o.id));
    expect(ours.map((o) => o.location).sort()).toEqual(names);
    const done = await Promise.all(ids.map((id) => lxd.operations.wait(undefined, id, { timeout: 30_000 })));
    expect(done.map((o) => [o.location, o.status, (o.metadata as { return?: number }).return])).toEqual(
      names.map((m) => [m, "Success", 0]),
    );
    sub.close();
    await collecting;
    expect([...seen].sort()).toEqual(names);
  });

  describe("a member crashing", () => {
    afterAll(() => cluster("--start", "m1"), 120_000);

    it("100 sequential execs on m2's and m3's instances through a client of all three URLs while m1 crashes", {
      timeout: 300_000,
    }, async () => {
      const lxd = clientOf(env, env.urls);
      const events = { drops: 0, reconnects: 0, after: new Set<string>(), reconnectedAt: 0 };
      const sub = lxd.events(undefined, {
        types: ["operation"],
        onDisconnect: () => events.drops++,
        onReconnect: () => {
          events.reconnects++;
          events.reconnectedAt = Date.now();
        },
      });
      const collecting = (async () => {
        for await (const e of sub as AsyncIterable<LxdEvent>) if (events.reconnects > 0) events.after.add(e.location);
      })();
      await sub.ready;

      // An operation living on m1, awaited through m2: m1's death must end the wait, typed.
      const { data } = await clients[1]!.api().POST("/1.0/instances/{name}/exec", {
        params: { path: { name: env.members[0]!.container } },
        body: { command: ["sleep", "30"], "wait-for-websocket": false, interactive: false },
      });
      const onM1 = (data as { metadata: Operation }).metadata;
      expect(onM1.location).toBe("m1");
      const waitEnd = { at: 0, outcome: "" };
      const waiting = clients[1]!.operations.wait(undefined, onM1.id).then(
        (op) => Object.assign(waitEnd, { at: Date.now(), outcome: `resolved ${op.status}` }),
        (err: unknown) =>
          Object.assign(waitEnd, {
            at: Date.now(),
            outcome: err instanceof LxdFetchError ? `${err.name}: ${err.message}` : `untyped ${err}`,
          }),
      );

      const outcomes: { ok: boolean; error?: string; ms: number; at: number }[] = [];
      let crashedAt = 0;
      let killedAt = 0; // when the script had seen m1's daemon gone
      let crash: Promise<unknown> | undefined;
      const started = Date.now();
      for (let i = 0; i < 100; i++) {
        if (i === 30) {
          crashedAt = Date.now();
          // Not awaited: the kill lands while execs are in flight.
          crash = cluster("--crash", "m1").then(() => (killedAt = Date.now()));
        }
        const container = env.members[1 + (i % 2)]!.container;
        const t0 = Date.now();
        let hung: ReturnType<typeof setTimeout> | undefined;
        const outcome = await Promise.race([
          lxd.run(undefined, container, ["sh", "-c", `echo ${i}`]).then(
            (r) => {
              // Anything but this exact answer would be silently wrong.
              expect([r.exitCode, r.text(), r.text("stderr")]).toEqual([0, `${i}\n`, ""]);
              return { ok: true };
            },
            (err: unknown) => {
              if (!(err instanceof LxdFetchError)) throw err; // untyped: a finding
              return { ok: false, error: `${err.name}: ${err.message}` };
            },
          ),
          new Promise<never>((_, reject) => (hung = setTimeout(() => reject(new Error(`exec ${i} hung for 60 s`)), 60_000))),
        ]).finally(() => clearTimeout(hung));
        outcomes.push({ ...outcome, ms: Date.now() - t0, at: t0 });
      }
      await crash;
      let hung: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([waiting, new Promise((r) => (hung = setTimeout(r, 30_000)))]).finally(() => clearTimeout(hung));
      sub.close();
      await collecting;
      await lxd.close();

      // The failover is done by the first success of an exec started after the kill.
      const afterCrash = outcomes.filter((o) => o.at >= killedAt);
      const firstOk = afterCrash.findIndex((o) => o.ok);
      const failed = outcomes.filter((o) => !o.ok);
      console.log(
        `[cluster fault] 100 execs in ${Date.now() - started} ms: ${outcomes.length - failed.length} ok, ${failed.length} typed errors` +
          `${failed.length ? ` (${[...new Set(failed.map((f) => f.error))].join(" | ")})` : ""};` +
          ` m1 killed ${killedAt - crashedAt} ms after the crash began, first success after it` +
          ` ${afterCrash[firstOk] ? afterCrash[firstOk]!.at + afterCrash[firstOk]!.ms - crashedAt : "-"} ms after the crash began,` +
          ` slowest exec ${Math.max(...outcomes.map((o) => o.ms))} ms; events: ${events.drops} drop(s), ${events.reconnects} reconnect(s)` +
          ` ${events.reconnectedAt ? events.reconnectedAt - crashedAt : "-"} ms after the crash, then events from ${[...events.after].sort().join(",")};` +
          ` the wait on m1's operation through m2 ended ${waitEnd.at ? waitEnd.at - crashedAt : "never"} ms after the crash: ${waitEnd.outcome}`,
      );
      expect(waitEnd.outcome).toMatch(/^[A-Za-z]+Error: /);
      expect(firstOk).toBeGreaterThanOrEqual(0);
      expect(afterCrash.slice(firstOk).filter((o) => !o.ok)).toEqual([]); // after the failover, every exec succeeds
      expect(events.reconnects).toBeGreaterThanOrEqual(1);
      expect([...events.after].filter((l) => l !== "m1").length).toBeGreaterThan(0);
    });

    it("comes back healthy when m1 starts again", { timeout: 120_000 }, async () => {
      await cluster("--start", "m1");
      const states = await healthy(clients[1]!);
      expect(states).toHaveLength(3);
      const r = await clients[0]!.run(undefined, env.members[2]!.container, ["sh", "-c", "echo back"]);
      expect(r.text()).toBe("back\n");
    });
  });
});
