// Events come back as soon as the daemon does: the daemon (LXD, then Incus) is killed (a crash,
// no grace) and started again by its up script; each subscription must be live again about as
// soon as a fresh subscription opened at that moment can be (its retry schedule adds at most one
// retry interval and one connect attempt begun before the daemon could answer), and an exec
// started right after must be seen by both. How fast depends on the machine: the test compares
// with the fresh subscription measured in the same run and prints both (a quiet machine: well
// under 250 ms); the retry schedule itself is proven in test/events.test.ts.
import { spawn } from "node:child_process";
import { Agent } from "undici";
import { expect, it } from "vitest";
import type { OperationEvent } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const root = new URL("../../", import.meta.url).pathname;
// The events hub's longest retry interval and its connect deadline (src/capabilities/events.ts):
// a subscription may be at most that much later than a fresh one.
const MAX_RETRY_MS = 2000;
const CONNECT_TIMEOUT_MS = 4000;

describeServers("real server: daemon crash and restart", (env) => {
  const script = root + (env.server === "incus" ? "scripts/incus-up.sh" : "scripts/lxd-up.sh");
  it("events are live again about as soon as a fresh subscription can be, over both transports, and see the next exec", {
    timeout: 120_000,
  }, async () => {
    const clients = remotes(env).map(([name, remote]) => ({ name, lxd: clientFor(name, remote) }));
    const subs = clients.map(({ name, lxd }) => {
      let reconnectedAt = 0;
      const sub = lxd.events(name, { types: ["operation"], onReconnect: () => (reconnectedAt = Date.now()) });
      const seen: string[] = [];
      const done = (async () => {
        for await (const e of sub) seen.push((e as OperationEvent).metadata.id);
      })();
      done.catch(() => undefined);
      return { name, sub, seen, done, reconnectedAt: () => reconnectedAt };
    });
    await Promise.all(subs.map((s) => s.sub.ready));

    // Probes of GET /1.0 on each transport, every 10 ms, with fresh connections: the moment the
    // daemon answers again.
    const probes = [
      { name: "unix", base: "http://unix", agent: new Agent({ connect: { socketPath: env.socket }, pipelining: 0 }) },
      {
        name: "https",
        base: env.httpsUrl,
        agent: new Agent({ connect: { ca: env.serverCert, cert: env.clientCert, key: env.clientKey }, pipelining: 0 }),
      },
    ];
    const answers = async (p: (typeof probes)[number]) => {
      try {
        const res = await fetch(`${p.base}/1.0`, { dispatcher: p.agent, signal: AbortSignal.timeout(200) } as RequestInit);
        return res.status === 200;
      } catch {
        return false;
      }
    };
    const restarted = new Promise<number>((resolve, reject) => {
      const child = spawn("bash", [script, "--restart"], {
        env: { ...process.env, LXD_UP_STOP_GRACE: "0", INCUS_UP_STOP_GRACE: "0" },
        stdio: "ignore",
      });
      child.on("exit", (code) => (code === 0 ? resolve(Date.now()) : reject(new Error(`${script} --restart exited ${code}`))));
    });
    // Down first: the crash has happened once the unix socket stops answering.
    const deadline = Date.now() + 30_000;
    while ((await answers(probes[0]!)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const answeredAt: Record<string, number> = {};
    while (Object.keys(answeredAt).length < probes.length && Date.now() < deadline + 60_000) {
      for (const p of probes) if (!(p.name in answeredAt) && (await answers(p))) answeredAt[p.name] = Date.now();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(Object.keys(answeredAt).sort()).toEqual(["https", "unix"]);

    // The baseline: a fresh client's subscription opened now, on each transport.
    const fresh = await Promise.all(
      remotes(env).map(async ([name, remote]) => {
        const lxd = clientFor(name, remote);
        const sub = lxd.events(name, { types: ["operation"] });
        await sub.ready;
        const readyAt = Date.now();
        sub.close();
        await lxd.close();
        return readyAt - answeredAt[name]!;
      }),
    );
    const liveBy = Date.now() + 60_000;
    while (subs.some((s) => s.reconnectedAt() === 0) && Date.now() < liveBy) await new Promise((r) => setTimeout(r, 5));
    const delays = subs.map((s) => s.reconnectedAt() - answeredAt[s.name]!);
    console.log(
      `[lxd-fetch] events live again after the daemon answered: ${subs.map((s, i) => `${s.name} ${delays[i]} ms (a fresh subscription ${fresh[i]} ms)`).join(", ")}`,
    );
    for (const [i, s] of subs.entries()) {
      expect(s.reconnectedAt(), `${s.name} reconnected`).toBeGreaterThan(0);
      expect(delays[i], `${s.name}: ms from the daemon answering to the stream being live`).toBeLessThanOrEqual(
        Math.max(0, fresh[i]!) + MAX_RETRY_MS + CONNECT_TIMEOUT_MS,
      );
    }

    // An exec right after is seen by both subscriptions.
    const r = await clients[0]!.lxd.run(undefined, env.container, ["echo", "after-restart"]);
    expect(r.text()).toBe("after-restart\n");
    const seenBy = Date.now() + 5000;
    while (subs.some((s) => !s.seen.includes(r.operation.id)) && Date.now() < seenBy) await new Promise((res) => setTimeout(res, 10));
    expect(subs.map((s) => s.seen.includes(r.operation.id))).toEqual([true, true]);

    await restarted; // the script's own readiness checks finish too
    for (const s of subs) s.sub.close();
    await Promise.all(subs.map((s) => s.done));
    await Promise.all([...clients.map((c) => c.lxd.close()), ...probes.map((p) => p.agent.close())]);
  });
});
