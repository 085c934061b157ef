// A custom volume copy into a server that would crash on it is refused before anything is sent:
// Incus 6.0.4, 6.11 and 6.12 panic on a migration header without a volume size, which every LXD
// and Incus before 6.11 (but 6.0.4) send (docs/migration.md).
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { crashesTarget } from "../src/capabilities/volume-migration.js";
import { createLxd, InvalidArgumentError } from "../src/index.js";
import { createVirtualLxd } from "../src/mock/index.js";
import { useVirtualLxd } from "./support/virtual.js";

const server = (name: "lxd" | "incus", version: string) => ({ environment: { server: name, server_version: version } });

describe("custom volume migration into a target that crashes without a volume size", () => {
  it("names the crashing targets and the sources that send no size", () => {
    const crashing = ["6.0.4", "6.11", "6.11.1", "6.12"];
    const safe = ["6.0.3", "6.0.5", "6.10", "6.13", "6.23", "7.0"];
    for (const t of crashing) {
      expect(crashesTarget(server("lxd", "5.0.2"), server("incus", t)), `LXD → Incus ${t}`).toBe(true);
      expect(crashesTarget(server("lxd", "6.5"), server("incus", t)), `LXD 6.5 → Incus ${t}`).toBe(true);
      for (const s of ["6.0.0", "6.0.3", "6.10"])
        expect(crashesTarget(server("incus", s), server("incus", t)), `Incus ${s} → ${t}`).toBe(true);
      for (const s of ["6.0.4", "6.0.5", "6.11", "6.13", "7.0"])
        expect(crashesTarget(server("incus", s), server("incus", t)), `Incus ${s} → ${t}`).toBe(false);
    }
    for (const t of safe) expect(crashesTarget(server("lxd", "5.0.2"), server("incus", t)), `LXD → Incus ${t}`).toBe(false);
    expect(crashesTarget(server("incus", "6.0.4"), server("lxd", "5.0.2"))).toBe(false);
    expect(crashesTarget(server("lxd", "5.0.2"), server("lxd", "5.21.3"))).toBe(false);
  });

  const v = useVirtualLxd();
  it("LXD → Incus 6.0.4: InvalidArgumentError naming both servers, no write sent to either", async () => {
    const a = createVirtualLxd({ baseUrl: "https://a.test:8443" });
    const b = createVirtualLxd({ baseUrl: "https://b.test:8443", instances: [] });
    // b answers as Incus 6.0.4 does (its own address and certificate, as the virtual LXD gives them).
    const incus = http.get(`${b.baseUrl}/1.0`, () =>
      HttpResponse.json({
        type: "sync",
        status: "Success",
        status_code: 200,
        metadata: {
          api_extensions: ["storage_api_remote_volume_handling"],
          api_version: "1.0",
          auth: "trusted",
          environment: { server: "incus", server_version: "6.0.4", addresses: ["b.test:8443"], certificate: "virtual b" },
        },
      }),
    );
    v.server.use(incus, ...a.handlers, ...b.handlers);
    const lxd = createLxd({
      remotes: { a: { url: a.baseUrl }, b: { url: b.baseUrl } },
      defaultRemote: "a",
      WebSocket: globalThis.WebSocket,
    });
    try {
      await lxd.storageVolumes.create("a", "default", "custom", { name: "v1" });
      const before = a.requests.length;
      const err = await lxd.storageVolumes.copy("a", "default", "custom", "v1", { remote: "b" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(/Incus 6\.0\.4, crashes on a custom volume migrated from LXD 5\.0\.2.*nothing was sent/);
      const writes = (rs: string[]) => rs.filter((r) => !r.startsWith("GET "));
      expect(writes(a.requests.slice(before))).toEqual([]);
      expect(writes(b.requests)).toEqual([]);
      expect([...b.storageVolumes("default").keys()]).toEqual([]);
    } finally {
      await lxd.close();
    }
  });
});
