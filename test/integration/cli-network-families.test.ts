// `lxd-fetch network forward|load-balancer|peer|zone …` as a spawned process against each real
// server, over its `local` (unix socket) and `tls` (HTTPS) remotes. The test bridges have no
// addresses, so the servers refuse forwards on them (500), bridges neither peer nor balance load
// (400), and LXD 5.0.2 lacks load balancers (the library's UnsupportedError): each one line on
// stderr with exit code 1, as lxc exits. Zones and their records need no address: made, changed
// and removed through the CLI alone. Everything made here is removed again.
import { afterAll, describe, expect, it, vi } from "vitest";
import { cli, cliConfig } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

vi.setConfig({ testTimeout: 180_000 });

const unique = () => Math.random().toString(36).slice(2, 6);
const text = (r: { code: number | null; stdout: Buffer; stderr: string }) => ({
  code: r.code,
  out: r.stdout.toString("utf8").trimEnd(),
  err: r.stderr.trimEnd(),
});

describeServers("real server: CLI network forward|load-balancer|peer|zone", (env) => {
  const { env: confEnv, remove } = cliConfig(env);
  const run = async (args: string[], input?: string) => text(await cli(args, { env: confEnv, ...(input !== undefined && { input }) }));
  const lxd = clientFor("unix", { socket: env.socket });
  const networks: string[] = [];
  const zones: string[] = [];
  afterAll(async () => {
    for (const z of zones) await lxd.networkZones.delete(undefined, z).catch(() => undefined);
    for (const n of networks) await lxd.networks.delete(undefined, n).catch(() => undefined);
    await lxd.close();
    remove();
  });

  describe.each(["local", "tls"])("remote %s", (remote) => {
    it("forward: an empty list in lxc's columns; create refused on an address-less bridge; peer and load-balancer refused", async () => {
      // Host interface names: at most 15 characters, and LXD and Incus share the host's.
      const net = `gaps18${env.server[0]}${remote[0]}${unique()}`;
      networks.push(net);
      expect(await run(["network", "create", `${remote}:${net}`, "ipv4.address=none", "ipv6.address=none"])).toMatchObject({ code: 0 });

      expect(await run(["network", "forward", "list", `${remote}:${net}`])).toEqual({
        code: 0,
        out: [
          "+----------------+-------------+------------------------+-------+",
          "| LISTEN ADDRESS | DESCRIPTION | DEFAULT TARGET ADDRESS | PORTS |",
          "+----------------+-------------+------------------------+-------+",
        ].join("\n"),
        err: "",
      });
      expect(await run(["network", "forward", "list", `${remote}:${net}`, "--format", "json"])).toMatchObject({ code: 0, out: "[]" });
      expect(await run(["network", "forward", "create", `${remote}:${net}`, "192.0.2.1", "--description", "x"])).toEqual({
        code: 1,
        out: "",
        err: `lxd-fetch: POST /1.0/networks/${net}/forwards on "${remote}": 500 Failed creating forward: invalid CIDR address: none`,
      });
      expect(await run(["network", "forward", "show", `${remote}:${net}`, "192.0.2.1"])).toEqual({
        code: 1,
        out: "",
        err: `lxd-fetch: GET /1.0/networks/${net}/forwards/192.0.2.1 on "${remote}": 404 Network forward not found`,
      });
      expect(await run(["network", "forward", "list", `${remote}:${net}`, "--format", "json"])).toMatchObject({ code: 0, out: "[]" });

      expect(await run(["network", "peer", "list", `${remote}:${net}`])).toEqual({
        code: 1,
        out: "",
        err: `lxd-fetch: GET /1.0/networks/${net}/peers on "${remote}": 400 Network driver "bridge" does not support peering`,
      });
      const balancers = await run(["network", "load-balancer", "list", `${remote}:${net}`]);
      if (env.server === "incus") {
        expect(balancers).toEqual({
          code: 1,
          out: "",
          err: `lxd-fetch: GET /1.0/networks/${net}/load-balancers on "${remote}": 400 Network driver "bridge" does not support load balancers`,
        });
        expect(await run(["network", "load-balancer", "info", `${remote}:${net}`, "192.0.2.1"])).toMatchObject({
          code: 1,
          err: `lxd-fetch: GET /1.0/networks/${net}/load-balancers/192.0.2.1/state on "${remote}": 400 Network driver "bridge" does not support load balancers`,
        });
      } else {
        expect(balancers).toEqual({
          code: 1,
          out: "",
          err: `lxd-fetch: networkLoadBalancers.list needs the API extension "network_load_balancer", which remote "${remote}" (lxd ${env.label.split(" ")[1]}) does not have`,
        });
      }
      expect(await run(["network", "delete", `${remote}:${net}`])).toMatchObject({ code: 0 });
    });

    it("zone and records through the CLI: create, list, set, get, edit, entry add/remove, delete", async () => {
      const zone = `gaps18-${env.server[0]}${remote[0]}${unique()}.example`;
      zones.push(zone);
      expect(await run(["network", "zone", "create", `${remote}:${zone}`, "user.k=v", "--description", "d"])).toMatchObject({ code: 0 });
      expect((await run(["network", "zone", "list", `${remote}:`, "--format", "csv"])).out.split("\n")).toContain(`${zone},d,0`);
      expect(await run(["network", "zone", "set", `${remote}:${zone}`, "dns.nameservers=ns1.example"])).toMatchObject({ code: 0 });
      expect(await run(["network", "zone", "get", `${remote}:${zone}`, "dns.nameservers"])).toMatchObject({ code: 0, out: "ns1.example" });
      expect(await run(["network", "zone", "unset", `${remote}:${zone}`, "user.k"])).toMatchObject({ code: 0 });

      expect(await run(["network", "zone", "record", "create", `${remote}:${zone}`, "www", "user.r=1"])).toMatchObject({ code: 0 });
      expect(
        await run(["network", "zone", "record", "entry", "add", `${remote}:${zone}`, "www", "A", "192.0.2.10", "--ttl", "300"]),
      ).toMatchObject({ code: 0 });
      expect(await run(["network", "zone", "record", "list", `${remote}:${zone}`])).toEqual({
        code: 0,
        out: [
          "+------+-------------+---------+",
          "| NAME | DESCRIPTION | ENTRIES |",
          "+------+-------------+---------+",
          "| www  |             | 1       |",
          "+------+-------------+---------+",
        ].join("\n"),
        err: "",
      });
      expect(await lxd.networkZones.records.get(undefined, zone, "www")).toMatchObject({
        entries: [{ type: "A", value: "192.0.2.10", ttl: 300 }],
        config: { "user.r": "1" },
      });
      const edited = 'description: edited\nconfig:\n  user.r: "2"\nentries:\n- type: TXT\n  value: hello\n';
      expect(await run(["network", "zone", "record", "edit", `${remote}:${zone}`, "www"], edited)).toMatchObject({ code: 0 });
      expect(await lxd.networkZones.records.get(undefined, zone, "www")).toMatchObject({
        description: "edited",
        entries: [{ type: "TXT", value: "hello" }],
        config: { "user.r": "2" },
      });
      expect(await run(["network", "zone", "record", "entry", "remove", `${remote}:${zone}`, "www", "TXT", "hello"])).toMatchObject({
        code: 0,
      });
      expect(await run(["network", "zone", "record", "entry", "remove", `${remote}:${zone}`, "www", "TXT", "hello"])).toEqual({
        code: 1,
        out: "",
        err: "lxd-fetch: Couldn't find a matching entry",
      });
      expect(await run(["network", "zone", "record", "show", `${remote}:${zone}`, "www"])).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^description: edited$/m),
      });
      expect(await run(["network", "zone", "record", "delete", `${remote}:${zone}`, "www"])).toMatchObject({ code: 0 });
      expect(await run(["network", "zone", "delete", `${remote}:${zone}`])).toMatchObject({ code: 0 });
      expect(await run(["network", "zone", "show", `${remote}:${zone}`])).toEqual({
        code: 1,
        out: "",
        err: `lxd-fetch: GET /1.0/network-zones/${zone} on "${remote}": 404 Network zone not found`,
      });
    });
  });
});
