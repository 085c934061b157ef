// `network …` through the CLI against the virtual LXD (--mock): lxc's list without the host's
// loopback, `info` in lxc's layout, and refusals (an unknown type before sending, LXD's own for
// the rest) as one line with exit 1. Each run is a fresh virtual LXD.
import { describe, expect, it, vi } from "vitest";
import { cli } from "./support/cli.js";

vi.setConfig({ testTimeout: 120_000 });

const run = async (...args: string[]) => {
  const r = await cli(["--mock", ...args]);
  return { code: r.code, out: r.stdout.toString("utf8").trimEnd(), err: r.stderr.trimEnd() };
};

describe("network commands (--mock)", () => {
  it("list as lxc lists: eth0 without the loopback; csv and json", async () => {
    expect((await run("network", "list")).out).toBe(
      [
        "+------+----------+---------+------+------+-------------+---------+-------+",
        "| NAME | TYPE     | MANAGED | IPV4 | IPV6 | DESCRIPTION | USED BY | STATE |",
        "+------+----------+---------+------+------+-------------+---------+-------+",
        "| eth0 | physical | NO      |      |      |             | 0       |       |",
        "+------+----------+---------+------+------+-------------+---------+-------+",
      ].join("\n"),
    );
    expect((await run("network", "list", "--format", "csv")).out).toBe("eth0,physical,NO,,,,0,");
    expect(JSON.parse((await run("network", "list", "--format", "json")).out)).toEqual([
      { config: {}, description: "", name: "eth0", type: "physical", used_by: null, managed: false, status: "", locations: null },
    ]);
  });

  it("info prints the state in lxc's layout", async () => {
    const r = await run("network", "info", "lo");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        "Name: lo",
        "MAC address: ",
        "MTU: 65536",
        "State: up",
        "Type: loopback",
        "",
        "IP addresses:",
        "  inet\t127.0.0.1/8 (local)",
        "  inet6\t::1/128 (local)",
        "",
        "Network usage:",
        "  Bytes received: 0B",
        "  Bytes sent: 0B",
        "  Packets received: 0",
        "  Packets sent: 0",
      ].join("\n"),
    );
  });

  it("create with no addresses succeeds; an unknown type, no address and an unmanaged network are refused in one line", async () => {
    expect(await run("network", "create", "br0", "ipv4.address=none", "ipv6.address=none", "--type", "bridge")).toEqual({
      code: 0,
      out: "",
      err: "",
    });
    expect(await run("network", "create", "br0", "--type", "vxlan")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: networks.create: unknown network type "vxlan" (LXD knows bridge, macvlan, sriov, ovn, physical)',
    });
    const auto = await run("network", "create", "br0");
    expect(auto.code).toBe(1);
    expect(auto.err).toMatch(/^lxd-fetch: POST \/1\.0\/networks on "local": 500 Failed generating auto config: .*IPv4 subnet/);
    expect(await run("network", "delete", "eth0")).toMatchObject({
      code: 1,
      err: 'lxd-fetch: DELETE /1.0/networks/eth0 on "local": 404 Failed loading network: Network not found',
    });
    expect((await run("network", "info")).code).toBe(2);
  });

  it("network acl: an empty list in lxc's columns, LXD's refusal of a missing ACL", async () => {
    expect((await run("network", "acl", "list")).out).toBe(
      ["+------+-------------+---------+", "| NAME | DESCRIPTION | USED BY |", "+------+-------------+---------+"].join("\n"),
    );
    expect(await run("network", "acl", "delete", "nope")).toEqual({
      code: 1,
      out: "",
      err: 'lxd-fetch: DELETE /1.0/network-acls/nope on "local": 404 Network ACL not found',
    });
  });
});
