// A relay copy whose source daemon dies mid-copy: member m3 of the LXD 5.0.2 cluster (the main
// daemon other suites use is never killed) copies a container with 128 MiB of random bytes to
// the main LXD through the client, and is killed (SIGKILL, scripts/lxd-cluster-up.sh --crash)
// once the relay has carried its first bytes. The kill runs synchronously inside the progress
// callback, so the relay carries nothing more until the daemon is gone: the copy cannot finish
// first however slow or fast the machine is, and no delay is assumed anywhere. Then: a typed
// error, nothing on the target, and once m3 is back the source is there with the same bytes.
// afterAll starts m3 again and waits until `lxc cluster list` says every member is ONLINE.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadServerEnv } from "../../scripts/lxd-env.mjs";
import { createLxd, LxdError, LxdFetchError, MigrationError } from "../../src/index.js";
import { describeCluster } from "./lxd.js";

const sh = promisify(execFile);
const SCRIPT = new URL("../../scripts/lxd-cluster-up.sh", import.meta.url).pathname;
const MEMBER = "m3";
const BLOB = 128 * 1024 * 1024;
const id = Math.random().toString(36).slice(2, 7);

describeCluster("relay copy with the source daemon killed mid-copy", (cl) => {
  const main = loadServerEnv("lxd").env;
  if (!main) throw new Error("the fault suite needs the main LXD too (.lxd-test/lxd.env)");
  const m1 = cl.members[0]!;
  const member = cl.members.find((m) => m.name === MEMBER)!;
  // Unix sockets only: the cluster's certificate may be reissued by a set-up run meanwhile.
  const client = createLxd({
    remotes: { src: { socket: member.socket }, m1: { socket: m1.socket }, lxd: { socket: main.socket } },
  });
  const name = `migrate2-fault-${id}`;
  const copy = `${name}-copy`;
  let sum = "";

  /** `lxc cluster list` as the cluster script reads it: each member's state (ONLINE, OFFLINE…). */
  const states = async (): Promise<Record<string, string>> => {
    const { stdout } = await sh("lxc", ["cluster", "list", "--format", "csv"], {
      env: { ...process.env, LXD_DIR: m1.socket.replace(/\/unix\.socket$/, "") },
      timeout: 30_000,
    }).catch(() => ({ stdout: "" }));
    const rows = stdout.trim().split("\n");
    return Object.fromEntries(
      cl.members.map((m) => {
        const cells = rows.find((r) => r.startsWith(`${m.name},`))?.split(",") ?? [];
        return [m.name, cells.find((c) => c === "ONLINE" || c === "OFFLINE" || c === "EVACUATED") ?? "unknown"];
      }),
    );
  };
  const until = async (what: string, ok: (s: Record<string, string>) => boolean) => {
    const deadline = Date.now() + 180_000;
    for (let s = await states(); !ok(s); s = await states()) {
      if (Date.now() > deadline) throw new Error(`cluster: not ${what} after 180 s: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const answers = () =>
    client.server.info("src", { refresh: true }).then(
      () => true,
      () => false,
    );
  /**
   * Brings the member back if its daemon is down: first until the others have seen it OFFLINE
   * (else an ONLINE read right after a quick restart is the stale one from before the kill),
   * then started, then until every member is ONLINE again.
   */
  const restore = async () => {
    if (!(await answers())) {
      await until(`${MEMBER} OFFLINE`, (s) => s[MEMBER] === "OFFLINE");
      await sh("bash", [SCRIPT, "--start", MEMBER], { timeout: 180_000 });
    }
    await until("fully ONLINE", (s) => cl.members.every((m) => s[m.name] === "ONLINE"));
  };

  beforeAll(async () => {
    await restore(); // never start from a cluster left degraded
    await client.instances.launch("m1", name, cl.image, { target: MEMBER });
    const r = await client.run("src", name, ["sh", "-c", `head -c ${BLOB} /dev/urandom > /root/blob && sha256sum /root/blob`]);
    expect(r.exitCode, r.text("stderr")).toBe(0);
    sum = r.text().split(" ")[0]!;
  }, 240_000);

  afterAll(async () => {
    try {
      await restore();
    } finally {
      for (const [remote, n] of [
        ["m1", name],
        ["lxd", copy],
      ] as const) {
        const op = await client.instances.delete(remote, n, { force: true }).catch(() => undefined);
        await op?.wait().catch(() => undefined);
      }
      await client.close();
    }
  }, 420_000);

  it("fails with a typed MigrationError, leaves nothing on the target, and the source is intact once m3 is back", async () => {
    let relayedAtKill = -1;
    const err = await client.migration
      .copy(
        "src",
        name,
        { remote: "lxd", name: copy },
        {
          mode: "relay",
          stateless: true,
          onProgress: (p) => {
            if (relayedAtKill >= 0 || !p.relayed) return;
            relayedAtKill = p.relayed;
            // Synchronous: the event loop, so the relay, stands still until the daemon is dead.
            execFileSync("bash", [SCRIPT, "--crash", MEMBER], { timeout: 120_000, stdio: "ignore" });
          },
        },
      )
      .catch((e: unknown) => e);
    console.log(
      `[migration fault] ${MEMBER} killed after ${relayedAtKill} of ${BLOB} bytes relayed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    expect(relayedAtKill).toBeGreaterThan(0);
    expect(relayedAtKill).toBeLessThan(BLOB);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).cause).toBeInstanceOf(LxdFetchError);
    expect((err as MigrationError).leftover).toBeUndefined();
    expect((err as MigrationError).from).toEqual({ remote: "src", name });

    // The target (the main LXD): no instance, no volume, no operation of the copy still running.
    await expect(client.instances.get("lxd", copy)).rejects.toSatisfy((e: unknown) => e instanceof LxdError && e.status === 404);
    // LXD 5.0.2 reports the create failed, then reverts its volume: gone within a minute, however loaded the machine.
    const volumeLeft = async () => (await client.storageVolumes.list("lxd", "default", { type: "container" })).includes(copy);
    for (const deadline = Date.now() + 60_000; (await volumeLeft()) && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 250));
    expect(await volumeLeft()).toBe(false);
    const ops = Object.values(await client.operations.list("lxd", { recursion: true })).flatMap((l) => l ?? []);
    expect(ops.filter((o) => o.status_code === 103 && JSON.stringify(o.resources ?? {}).includes(copy))).toEqual([]);

    // The source, once its daemon is back: where it was, running, the same bytes.
    await restore();
    // LXD freezes a running container while it sends it; a daemon killed meanwhile leaves it
    // frozen (LXD 5.0.2 here). Thawed, it runs on with its bytes.
    const back = await client.instances.get("src", name);
    console.log(`[migration fault] the source after ${MEMBER} came back: ${back.status}`);
    expect(back.location).toBe(MEMBER);
    expect(["Running", "Frozen"]).toContain(back.status);
    if (back.status === "Frozen") await (await client.instances.setState("src", name, { action: "unfreeze" })).wait();
    expect((await client.instances.get("src", name)).status).toBe("Running");
    const r = await client.run("src", name, ["sha256sum", "/root/blob"]);
    expect(r.text().split(" ")[0]).toBe(sum);
  }, 600_000);
});
