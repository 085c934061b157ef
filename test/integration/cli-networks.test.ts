// `lxd-fetch network …` as a spawned process against each real server, over its `local` (unix
// socket) and `tls` (HTTPS) remotes: a bridge with no addresses made, listed, set, shown, its
// state printed as `lxc network info` prints it, renamed and deleted; an unknown type and a
// network in use refused with one line and exit code 1. Everything made here is removed again.
import { afterAll, describe, expect, it, vi } from "vitest";
import { cli, cliConfig } from "../support/cli.js";
import { clientFor, describeServers } from "./lxd.js";

// Each test spawns the CLI several times: the limit only guards against a hang on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

const unique = () => Math.random().toString(36).slice(2, 6);

describeServers("real server: CLI network", (env) => {
  const { env: confEnv, remove } = cliConfig(env);
  const run = (args: string[]) => cli(args, { env: confEnv });
  const lxd = clientFor("unix", { socket: env.socket });
  const made: string[] = [];
  afterAll(async () => {
    for (const p of made.filter((m) => m.endsWith("-p"))) await lxd.profiles.delete(undefined, p).catch(() => undefined);
    for (const a of made.filter((m) => m.startsWith("acl:"))) await lxd.networkAcls.delete(undefined, a.slice(4)).catch(() => undefined);
    for (const n of made.filter((m) => !m.endsWith("-p") && !m.startsWith("acl:")))
      await lxd.networks.delete(undefined, n).catch(() => undefined);
    await lxd.close();
    remove();
  });

  describe.each(["local", "tls"])("remote %s", (remote) => {
    it("create --type bridge, list (table, csv, json), set, get, unset, show, info, rename, delete", async () => {
      // Host interface names: at most 15 characters, and LXD and Incus share the host's.
      const name = `netc${env.server[0]}${remote[0]}${unique()}`;
      made.push(name, `${name}r`);
      const created = await run(["network", "create", `${remote}:${name}`, "ipv4.address=none", "ipv6.address=none", "--type", "bridge"]);
      expect({ code: created.code, err: created.stderr }).toEqual({ code: 0, err: "" });

      const table = (await run(["network", "list", `${remote}:`])).stdout.toString();
      expect(table).toMatch(/\| NAME +\| TYPE +\| MANAGED \| IPV4 \| IPV6 \| DESCRIPTION \| USED BY \| STATE +\|/);
      expect(table).toMatch(new RegExp(`\\| ${name} +\\| bridge +\\| YES +\\| none \\| none \\| +\\| 0 +\\| CREATED \\|`));
      // As lxc: the host's loopback is not listed.
      expect(table).not.toMatch(/\| lo +\|/);
      const csv = (await run(["network", "list", `${remote}:`, "--format", "csv"])).stdout.toString();
      expect(csv.split("\n")).toContain(`${name},bridge,YES,none,none,,0,CREATED`);
      const listed = JSON.parse((await run(["network", "list", `${remote}:`, "--format", "json"])).stdout.toString()) as { name: string }[];
      const names = listed.map((n) => n.name);
      expect(names).toContain(name);
      expect(names).toEqual([...names].sort(new Intl.Collator("en", { numeric: true }).compare));

      expect((await run(["network", "set", `${remote}:${name}`, "bridge.mtu", "1400"])).code).toBe(0);
      expect((await run(["network", "get", `${remote}:${name}`, "bridge.mtu"])).stdout.toString()).toBe("1400\n");
      expect((await run(["network", "unset", `${remote}:${name}`, "bridge.mtu"])).code).toBe(0);
      const shown = (await run(["network", "show", `${remote}:${name}`])).stdout.toString();
      expect(shown).toMatch(/^config:\n {2}ipv4\.address: none\n {2}ipv6\.address: none\n/);
      expect(shown).toMatch(/^type: bridge$/m);

      const info = await run(["network", "info", `${remote}:${name}`]);
      expect(info.code).toBe(0);
      expect(info.stdout.toString()).toMatch(
        new RegExp(
          `^Name: ${name}\nMAC address: [0-9a-f:]{17}\nMTU: 1500\nState: up\nType: broadcast\n\nNetwork usage:\n  Bytes received: \\d+(\\.\\d\\d[kMG])?B\n  Bytes sent: \\d+(\\.\\d\\d[kMG])?B\n  Packets received: \\d+\n  Packets sent: \\d+\n\nBridge:\n  ID: 8000\\.[0-9a-f]{12}\n  STP: false\n  Forward delay: 1500\n  Default VLAN ID: 0\n  VLAN filtering: false\n  Upper devices: \n$`,
        ),
      );

      expect((await run(["network", "rename", `${remote}:${name}`, `${name}r`])).code).toBe(0);
      expect((await run(["network", "delete", `${remote}:${name}r`])).code).toBe(0);
      expect((await run(["network", "list", `${remote}:`, "--format", "csv"])).stdout.toString()).not.toContain(name);
    });

    it("network acl: create, list (csv), show, rename, delete", async () => {
      const acl = `netc${env.server[0]}${remote[0]}${unique()}-acl`;
      made.push(`acl:${acl}`, `acl:${acl}2`);
      expect((await run(["network", "acl", "create", `${remote}:${acl}`, "user.k=v"])).code).toBe(0);
      expect((await run(["network", "acl", "list", `${remote}:`, "--format", "csv"])).stdout.toString().split("\n")).toContain(`${acl},,0`);
      expect((await run(["network", "acl", "show", `${remote}:${acl}`])).stdout.toString()).toMatch(/^config:\n {2}user\.k: v$/m);
      expect((await run(["network", "acl", "rename", `${remote}:${acl}`, `${acl}2`])).code).toBe(0);
      expect((await run(["network", "acl", "delete", `${remote}:${acl}2`])).code).toBe(0);
      expect((await run(["network", "acl", "list", `${remote}:`, "--format", "csv"])).stdout.toString()).not.toContain(acl);
    });

    it("an unknown type and a network in use: one line on stderr, exit code 1", async () => {
      const name = `netc${env.server[0]}${remote[0]}${unique()}`;
      const profile = `${name}-p`;
      made.push(name, profile);
      const vxlan = await run(["network", "create", `${remote}:${name}`, "--type", "vxlan"]);
      expect(vxlan.code).toBe(1);
      expect(vxlan.stderr).toBe(
        'lxd-fetch: networks.create: unknown network type "vxlan" (LXD knows bridge, macvlan, sriov, ovn, physical)\n',
      );

      await lxd.networks.create(undefined, { name, config: { "ipv4.address": "none", "ipv6.address": "none" } });
      await lxd.profiles.create(undefined, { name: profile, devices: { eth9: { type: "nic", network: name, name: "eth9" } } });
      const inUse = await run(["network", "delete", `${remote}:${name}`]);
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toMatch(/^lxd-fetch: DELETE \/1\.0\/networks\/net\w+ on "\w+": 400 The network is currently in use\n$/);
      await lxd.profiles.delete(undefined, profile);
      expect((await run(["network", "delete", `${remote}:${name}`])).code).toBe(0);
    });
  });
});
