// An ACL's log and a load balancer's state on the virtual LXD, with the real servers' answers
// (test/integration/network-extras.test.ts): the log refused off OVN, a missing ACL 404; the state
// needs `network_load_balancer_state` (UnsupportedError on LXD 5.0.2's extensions, nothing sent)
// and is a bridge's 400 where the extension is there; bad input refused before sending.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, LxdError, UnsupportedError } from "../src/index.js";
import { LXD_5_0_2_EXTENSIONS } from "../src/mock/extensions.js";
import { useVirtualLxd } from "./support/virtual.js";

const NO_ADDRESSES = { "ipv4.address": "none", "ipv6.address": "none" };

describe("network ACL log and load-balancer state (virtual LXD)", () => {
  const v = useVirtualLxd();

  it("networkAcls.log: 500 off OVN, 404 for a missing ACL, a bad name refused before sending", async () => {
    const { client, lxd: virtual } = v.start();
    await client.networkAcls.create(undefined, { name: "a1" });
    await expect(client.networkAcls.log(undefined, "a1")).rejects.toMatchObject({
      constructor: LxdError,
      status: 500,
      lxdMessage: "Only OVN log entries may be retrieved at this time",
    });
    await expect(client.networkAcls.log(undefined, "nope")).rejects.toMatchObject({ status: 404 });
    const before = virtual.requests.length;
    await expect(client.networkAcls.log(undefined, "../x")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(virtual.requests.length).toBe(before);
  });

  it("networkLoadBalancers.state: UnsupportedError without the extension; a bridge's 400 with it", async () => {
    const lxd502 = v.start();
    await expect(lxd502.client.networkLoadBalancers.state(undefined, "br0", "192.0.2.1")).rejects.toMatchObject({
      constructor: UnsupportedError,
      extension: "network_load_balancer_state",
    });
    expect(lxd502.lxd.requests.filter((r) => r.includes("load-balancers"))).toEqual([]);

    const { client } = v.start({ apiExtensions: [...LXD_5_0_2_EXTENSIONS, "network_load_balancer", "network_load_balancer_state"] });
    await client.networks.create(undefined, { name: "br0", config: NO_ADDRESSES });
    await expect(client.networkLoadBalancers.state(undefined, "br0", "192.0.2.1")).rejects.toMatchObject({
      status: 400,
      message: 'GET /1.0/networks/br0/load-balancers/192.0.2.1/state on "v": 400 Network driver "bridge" does not support load balancers',
    });
    await expect(client.networkLoadBalancers.state(undefined, "nope", "192.0.2.1")).rejects.toMatchObject({ status: 404 });
  });
});
