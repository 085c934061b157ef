// An events consumer that survives the daemon (LXD or Incus) being killed and started again.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { OperationEvent } from "../../src/index.js";
import { clientFor, createTokenOperation, describeServers, remotes } from "./lxd.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;

describeServers("real server: daemon restart", (env) => {
  it("an events consumer reconnects and sees later operations, over both transports", { timeout: 120_000 }, async () => {
    const clients = remotes(env).map(([name, remote]) => ({ name, lxd: clientFor(name, remote) }));
    const subs = clients.map(({ name, lxd }) => {
      const sub = lxd.events(name, { types: ["operation"] });
      const seen: string[] = [];
      const done = (async () => {
        for await (const e of sub) seen.push((e as OperationEvent).metadata.id);
      })();
      done.catch(() => undefined);
      return { sub, seen, done };
    });
    await Promise.all(subs.map((s) => s.sub.ready));

    // SIGTERM, then SIGKILL after a grace period; the script waits until the daemon is ready again.
    const script = env.server === "incus" ? "scripts/incus-up.sh" : "scripts/lxd-up.sh";
    await run("bash", [root + script, "--restart"], { env: { ...process.env, LXD_UP_STOP_GRACE: "2", INCUS_UP_STOP_GRACE: "2" } });

    const [unix] = clients;
    const deadline = Date.now() + 60_000;
    let id = "";
    // The consumers reconnect with backoff; an operation created afterwards must reach both.
    while (Date.now() < deadline) {
      id = await createTokenOperation(unix!.lxd);
      await new Promise((r) => setTimeout(r, 500));
      await unix!.lxd.operations.delete(undefined, id);
      if (subs.every((s) => s.seen.includes(id))) break;
    }
    expect(subs.map((s) => s.seen.includes(id))).toEqual([true, true]);
    for (const s of subs) s.sub.close();
    await Promise.all(subs.map((s) => s.done));
    await Promise.all(clients.map((c) => c.lxd.close()));
  });
});
