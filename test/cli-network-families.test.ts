// `network forward|load-balancer|peer|zone …` on the virtual LXD: in this process for the flows
// (the CLI's network command on a client of one virtual LXD, forwards seeded there since test
// networks have no addresses), and as a spawned process for the one-line errors and exit codes.
import { describe, expect, it, vi } from "vitest";
import { parse } from "../src/cli/flags.js";
import { run as network } from "../src/cli/network.js";
import { InvalidArgumentError, type Lxd, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { cli } from "./support/cli.js";
import { useVirtualLxd } from "./support/virtual.js";

vi.setConfig({ testTimeout: 120_000 });

const NO_ADDRESSES = { "ipv4.address": "none", "ipv6.address": "none" };

/** `lxd-fetch network …` in this process: its exit code and what it printed. */
async function inProcess(lxd: Lxd, ...argv: string[]) {
  const { values, positionals } = parse(["network", ...argv]);
  const lines: string[] = [];
  const code = await network({ lxd, args: positionals.slice(1), flags: values, out: (s) => lines.push(s), err: () => {} });
  return { code, out: lines.join("\n") };
}

const spawned = async (...args: string[]) => {
  const r = await cli(["--mock", ...args]);
  return { code: r.code, out: r.stdout.toString("utf8").trimEnd(), err: r.stderr.trimEnd() };
};

describe("network forward|load-balancer|peer|zone (virtual LXD)", () => {
  const v = useVirtualLxd();

  it("forward: list in lxc's columns, show, set, get, unset, port add/remove, delete", async () => {
    const { client, lxd: virtual } = v.start();
    await client.networks.create(undefined, { name: "br0", config: NO_ADDRESSES });
    // The servers refuse a forward on a network without addresses, as the virtual LXD does.
    await expect(inProcess(client, "forward", "create", "br0", "192.0.2.1")).rejects.toMatchObject({
      status: 500,
      message: expect.stringMatching(/500 Failed creating forward: invalid CIDR address: none$/),
    });
    virtual.networkForwards("br0").set("192.0.2.1", { name: "192.0.2.1", description: "web", config: {}, ports: [] });

    expect((await inProcess(client, "forward", "list", "br0")).out).toBe(
      [
        "+----------------+-------------+------------------------+-------+",
        "| LISTEN ADDRESS | DESCRIPTION | DEFAULT TARGET ADDRESS | PORTS |",
        "+----------------+-------------+------------------------+-------+",
        "| 192.0.2.1      | web         |                        | 0     |",
        "+----------------+-------------+------------------------+-------+",
      ].join("\n"),
    );
    expect(await inProcess(client, "forward", "set", "br0", "192.0.2.1", "target_address=198.51.100.7", "user.k=v")).toEqual({
      code: 0,
      out: "",
    });
    expect((await inProcess(client, "forward", "get", "br0", "192.0.2.1", "target_address")).out).toBe("198.51.100.7");
    expect((await inProcess(client, "forward", "unset", "br0", "192.0.2.1", "user.k")).code).toBe(0);
    expect(
      await inProcess(client, "forward", "port", "add", "br0", "192.0.2.1", "tcp", "80,443", "198.51.100.8", "8080", "--description", "w"),
    ).toEqual({
      code: 0,
      out: "",
    });
    expect((await inProcess(client, "forward", "port", "add", "br0", "192.0.2.1", "udp", "53", "198.51.100.9")).code).toBe(0);
    expect((await inProcess(client, "forward", "list", "br0", "--format", "csv")).out).toBe("192.0.2.1,web,198.51.100.7,2");
    expect(await client.networkForwards.get(undefined, "br0", "192.0.2.1")).toEqual({
      config: { target_address: "198.51.100.7" },
      description: "web",
      listen_address: "192.0.2.1",
      location: "",
      ports: [
        { description: "w", protocol: "tcp", listen_port: "80,443", target_address: "198.51.100.8", target_port: "8080" },
        { protocol: "udp", listen_port: "53", target_address: "198.51.100.9" },
      ],
    });
    expect((await inProcess(client, "forward", "show", "br0", "192.0.2.1")).out).toMatch(/^listen_address: 192\.0\.2\.1$/m);
    // lxc's port filters: two ports match no filter, so --force; none matching is refused.
    await expect(inProcess(client, "forward", "port", "remove", "br0", "192.0.2.1")).rejects.toThrow(
      new InvalidArgumentError("Multiple ports match. Use --force to remove them all"),
    );
    await expect(inProcess(client, "forward", "port", "remove", "br0", "192.0.2.1", "sctp")).rejects.toThrow("No matching port(s) found");
    expect((await inProcess(client, "forward", "port", "remove", "br0", "192.0.2.1", "udp")).code).toBe(0);
    expect((await client.networkForwards.get(undefined, "br0", "192.0.2.1")).ports?.map((p) => p.protocol)).toEqual(["tcp"]);
    expect((await inProcess(client, "forward", "port", "remove", "br0", "192.0.2.1", "--force")).code).toBe(0);
    expect((await client.networkForwards.get(undefined, "br0", "192.0.2.1")).ports).toEqual([]);
    expect((await inProcess(client, "forward", "delete", "br0", "192.0.2.1")).code).toBe(0);
    await expect(inProcess(client, "forward", "delete", "br0", "192.0.2.1")).rejects.toThrow(
      /404 Failed deleting forward: Network forward not found$/,
    );
    expect((await inProcess(client, "forward", "list", "br0", "--format", "json")).out).toBe("[]");
  });

  it("--target goes to the member (?target=), IPv6 listen addresses keep their colons", async () => {
    const { client, lxd: virtual } = v.start();
    await client.networks.create(undefined, { name: "br0", config: NO_ADDRESSES });
    virtual.networkForwards("br0").set("2001:db8::1", { name: "2001:db8::1", description: "", config: {}, ports: [] });
    expect((await inProcess(client, "forward", "show", "v:br0", "2001:db8::1", "--target", "m1")).out).toMatch(
      /^listen_address: 2001:db8::1$/m,
    );
    expect(virtual.requests.filter((r) => r.includes("/forwards/"))).toEqual([
      "GET /1.0/networks/br0/forwards/2001%3Adb8%3A%3A1?target=m1",
    ]);
  });

  it("zone and records: create, list, set, record create, entry add/remove, delete", async () => {
    const { client } = v.start();
    expect(await inProcess(client, "zone", "create", "z1.example", "--description", "zone", "user.a=b")).toEqual({ code: 0, out: "" });
    expect((await inProcess(client, "zone", "list", "--format", "csv")).out).toBe("z1.example,zone,0");
    expect((await inProcess(client, "zone", "set", "z1.example", "dns.nameservers", "ns1.z1.example")).code).toBe(0);
    expect((await inProcess(client, "zone", "get", "z1.example", "dns.nameservers")).out).toBe("ns1.z1.example");
    expect((await inProcess(client, "zone", "record", "create", "z1.example", "www", "--description", "web")).code).toBe(0);
    expect((await inProcess(client, "zone", "record", "entry", "add", "z1.example", "www", "A", "192.0.2.10", "--ttl", "300")).code).toBe(
      0,
    );
    expect((await inProcess(client, "zone", "record", "entry", "add", "z1.example", "www", "AAAA", "2001:db8::10")).code).toBe(0);
    expect((await inProcess(client, "zone", "record", "list", "z1.example")).out).toBe(
      [
        "+------+-------------+---------+",
        "| NAME | DESCRIPTION | ENTRIES |",
        "+------+-------------+---------+",
        "| www  | web         | 2       |",
        "+------+-------------+---------+",
      ].join("\n"),
    );
    expect((await client.networkZones.records.get(undefined, "z1.example", "www")).entries).toEqual([
      { type: "A", value: "192.0.2.10", ttl: 300 },
      { type: "AAAA", value: "2001:db8::10" },
    ]);
    expect((await inProcess(client, "zone", "record", "entry", "remove", "z1.example", "www", "A", "192.0.2.10")).code).toBe(0);
    await expect(inProcess(client, "zone", "record", "entry", "remove", "z1.example", "www", "A", "192.0.2.10")).rejects.toThrow(
      "Couldn't find a matching entry",
    );
    expect((await inProcess(client, "zone", "record", "delete", "z1.example", "www")).code).toBe(0);
    expect((await inProcess(client, "zone", "delete", "z1.example")).code).toBe(0);
    expect((await inProcess(client, "zone", "list", "--format", "csv")).out).toBe("");
  });

  it("peer and load-balancer: a bridge's refusal; LXD 5.0.2 lacks load balancers (UnsupportedError)", async () => {
    const { client } = v.start();
    await client.networks.create(undefined, { name: "br0", config: NO_ADDRESSES });
    await expect(inProcess(client, "peer", "create", "br0", "p1", "proj/ovn1")).rejects.toMatchObject({
      status: 400,
      message: 'POST /1.0/networks/br0/peers on "v": 400 Network driver "bridge" does not support peering',
    });
    await expect(inProcess(client, "load-balancer", "list", "br0")).rejects.toBeInstanceOf(UnsupportedError);
    const incusLike = v.start({ apiExtensions: [...LXD_5_0_2_EXTENSIONS, "network_load_balancer", "network_load_balancer_state"] });
    await incusLike.client.networks.create(undefined, { name: "br0", config: NO_ADDRESSES });
    for (const argv of [
      ["list", "br0"],
      ["create", "br0", "192.0.2.1"],
      ["info", "br0", "192.0.2.1"],
    ])
      await expect(inProcess(incusLike.client, "load-balancer", ...argv)).rejects.toThrow(
        /400 Network driver "bridge" does not support load balancers$/,
      );
  });

  it("spawned: lxc's usage lines (exit 2), the server's refusal and UnsupportedError as one line (exit 1)", async () => {
    expect(await spawned("network", "forward", "show", "br0")).toEqual({
      code: 2,
      out: "",
      err: "lxd-fetch: network forward show [R:]<network> <listen_address>",
    });
    expect(await spawned("network", "zone", "rename", "a", "b")).toMatchObject({ code: 2 });
    expect(await spawned("network", "peer", "create", "br0", "p1")).toMatchObject({
      code: 2,
      err: "lxd-fetch: network peer create [R:]<network> <peer_name> <[target project/]target_network> [key=value...]",
    });
    expect(await spawned("network", "forward", "list", "nope")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: GET /1.0/networks/nope/forwards on "local": 404 Failed loading network: Network not found',
    });
    expect(await spawned("network", "load-balancer", "list", "eth0")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: networkLoadBalancers.list needs the API extension "network_load_balancer", which remote "local" (lxd 5.0.2) does not have',
    });
  });
});
