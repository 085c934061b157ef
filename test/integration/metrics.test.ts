// Metrics on the real servers: the OpenMetrics text, parsed with the instance's samples in it,
// over the unix socket and HTTPS with the trusted certificate; an untrusted client is refused. The
// text of each server is kept as test/fixtures/metrics-<server>.txt for the parser's unit tests
// (written when missing, or again with LXDFETCH_UPDATE_FIXTURES=1).
import { existsSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createLxd, LxdError, type Lxd } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const fixture = (server: string) => new URL(`../fixtures/metrics-${server}.txt`, import.meta.url);

describeServers("real server: metrics", (env) => {
  const prefix = env.server === "incus" ? "incus" : "lxd";
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd: Lxd = clientFor(name, remote);
    afterAll(() => lxd.close());

    it("text() is the server's OpenMetrics text, ending in # EOF", async () => {
      const text = await lxd.metrics.text();
      expect(text.startsWith(`# HELP ${prefix}_`)).toBe(true);
      expect(text.trimEnd().endsWith("# EOF")).toBe(true);
      if (name === "unix" && (!existsSync(fixture(env.server)) || process.env.LXDFETCH_UPDATE_FIXTURES === "1"))
        writeFileSync(fixture(env.server), text);
    });

    it("get() parses every sample line, with the container's samples and each family's type and help", async () => {
      const m = await lxd.metrics.get();
      const lines = m.text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
      expect(m.samples).toHaveLength(lines.length);
      const cpu = m.families.find((f) => f.name === `${prefix}_cpu_seconds_total`);
      expect(cpu).toMatchObject({ type: "counter", help: "The total number of CPU time used in seconds." });
      const mine = m.samples.filter((s) => s.labels.name === env.container);
      expect(mine.length).toBeGreaterThan(10);
      // busybox's init and its shell on the console: at least one process.
      const procs = mine.find((s) => s.name === `${prefix}_procs_total`);
      expect(procs).toMatchObject({ labels: { name: env.container, project: "default", type: "container" } });
      expect(procs!.value).toBeGreaterThanOrEqual(1);
      const memory = mine.find((s) => s.name === `${prefix}_memory_MemTotal_bytes`);
      expect(memory!.value).toBeGreaterThan(0);
      for (const s of m.samples) expect(typeof s.value).toBe("number");
      for (const f of m.families) for (const s of f.samples) expect(s.name.startsWith(f.name)).toBe(true);
    });

    it("a project's metrics are that project's instances only (Incus adds its daemon's own, unlabelled)", async () => {
      const m = await lxd.metrics.get(undefined, { project: "default" });
      const labelled = m.samples.filter((s) => s.labels.project !== undefined);
      expect(labelled.length).toBeGreaterThan(0);
      expect(new Set(labelled.map((s) => s.labels.project))).toEqual(new Set(["default"]));
      const daemon = m.samples.filter((s) => s.labels.project === undefined).map((s) => s.name);
      if (env.server === "incus") expect(daemon).toContain("incus_warnings_total");
      else expect(daemon).toEqual([]);
    });
  });

  it("an untrusted client over HTTPS is refused with LXD's 403", async () => {
    const lxd = createLxd({
      remotes: { u: { url: env.httpsUrl, ca: env.serverCert, cert: env.untrustedCert, key: env.untrustedKey } },
      defaultRemote: "u",
    });
    try {
      // The extension check reads GET /1.0, which an untrusted client is given too.
      const err = await lxd.metrics.text().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LxdError);
      expect((err as LxdError).status).toBe(403);
    } finally {
      await lxd.close();
    }
  });
});
