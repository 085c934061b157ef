// An ACL's log and a load balancer's state on the real servers: both keep a log only for ACLs on
// OVN networks (500 "Only OVN log entries may be retrieved at this time"), a missing ACL is 404;
// Incus refuses a bridge's load-balancer state (400), LXD 5.0.2 lacks the extension
// (UnsupportedError naming it, before anything is sent). Everything made here is removed again.
import { afterAll, describe, expect, it } from "vitest";
import { LxdError, UnsupportedError } from "../../src/index.js";
import { clientFor, describeServers, remotes } from "./lxd.js";

const unique = () => Math.random().toString(36).slice(2, 6);

describeServers("real server: network ACL log and load-balancer state", (env) => {
  describe.each(remotes(env))("over %s", (name, remote) => {
    const lxd = clientFor(name, remote);
    const made: { acl?: string; net?: string } = {};
    afterAll(async () => {
      if (made.acl) await lxd.networkAcls.delete(undefined, made.acl).catch(() => undefined);
      if (made.net) await lxd.networks.delete(undefined, made.net).catch(() => undefined);
      await lxd.close();
    });

    it("networkAcls.log: the servers' refusal off OVN, 404 for a missing ACL", async () => {
      const acl = `gaps18-${env.server[0]}${name[0]}${unique()}`;
      made.acl = acl;
      await lxd.networkAcls.create(undefined, { name: acl });
      const refused = await lxd.networkAcls.log(undefined, acl).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LxdError);
      expect(refused).toMatchObject({
        status: 500,
        message: expect.stringMatching(/500 Only OVN log entries may be retrieved at this time$/),
      });
      await lxd.networkAcls.delete(undefined, acl);
      await expect(lxd.networkAcls.log(undefined, acl)).rejects.toMatchObject({
        status: 404,
        message: expect.stringMatching(/404 Network ACL not found$/),
      });
    });

    it("networkLoadBalancers.state: Incus's 400 on a bridge, LXD 5.0.2's missing extension", async () => {
      const net = `gaps18${env.server[0]}${name[0]}${unique()}`;
      made.net = net;
      await lxd.networks.create(undefined, { name: net, type: "bridge", config: { "ipv4.address": "none", "ipv6.address": "none" } });
      const got = await lxd.networkLoadBalancers.state(undefined, net, "192.0.2.1").catch((e: unknown) => e);
      if (env.server === "incus") {
        expect(got).toBeInstanceOf(LxdError);
        expect(got).toMatchObject({
          status: 400,
          message: expect.stringMatching(/400 Network driver "bridge" does not support load balancers$/),
        });
      } else {
        expect(got).toBeInstanceOf(UnsupportedError);
        expect(got).toMatchObject({ extension: "network_load_balancer_state" });
      }
      await lxd.networks.delete(undefined, net);
    });
  });
});
