// The virtual LXD's network ACLs, on the virtual family (collection.ts), with LXD 5.0.2's
// messages (checked by curl on its unix socket): a rule's action checked, only `user.*` config,
// `used_by` the networks whose `security.acls` names the ACL, no delete while one does, and the
// log refused as for any ACL not on an OVN network.
import { http } from "msw";
import { virtualFamily, type VirtualItem } from "./collection.js";
import type { MockContext } from "./context.js";

export interface MockNetworkAcl extends VirtualItem {
  description: string;
  egress: Record<string, string>[];
  ingress: Record<string, string>[];
}

/** The networks' configs, by name (networks.ts), for `used_by`. */
type NetworkConfigs = () => Map<string, { name: string; config: Record<string, string> }>;

const ACTIONS = ["allow", "drop", "reject"];

/** The ACLs a network's `security.acls` names. */
export const aclsOf = (config: Record<string, string>) =>
  (config["security.acls"] ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);

export function mockNetworkAcls(ctx: MockContext, networks: NetworkConfigs) {
  const users = (acl: string) =>
    [...networks().values()].filter((n) => aclsOf(n.config).includes(acl)).map((n) => `/1.0/networks/${n.name}`);
  const family = virtualFamily<MockNetworkAcl>(ctx, {
    path: "/1.0/network-acls",
    lifecycle: "network-acl",
    notFound: "Network ACL not found",
    exists: () => [400, "The network ACL already exists"],
    create: (b) => {
      const rules = (k: "egress" | "ingress") => (Array.isArray(b[k]) ? (b[k] as Record<string, string>[]) : []);
      for (const k of ["ingress", "egress"] as const) {
        const i = rules(k).findIndex((r) => !ACTIONS.includes(r.action ?? ""));
        if (i >= 0) return [500, `Invalid ${k} rule ${i}: Action must be one of: ${ACTIONS.join(", ")}`];
      }
      return {
        name: String(b.name),
        description: typeof b.description === "string" ? b.description : "",
        egress: rules("egress"),
        ingress: rules("ingress"),
        config: (b.config as Record<string, string> | undefined) ?? {},
      };
    },
    checkConfig: (config) => {
      const bad = Object.keys(config).find((k) => !k.startsWith("user."));
      return bad === undefined ? undefined : [500, `Invalid config option "${bad}"`];
    },
    refuse: (action, acl) => (action === "delete" && users(acl.name).length > 0 ? [500, "Cannot delete an ACL that is in use"] : undefined),
    view: (acl) => ({
      name: acl.name,
      description: acl.description,
      egress: acl.egress,
      ingress: acl.ingress,
      config: acl.config,
      used_by: users(acl.name),
    }),
  });
  // LXD and Incus keep a log only for ACLs on OVN networks, which the virtual LXD has not.
  const log = http.get(`${ctx.base}/1.0/network-acls/:name/log`, ({ params }) =>
    family.items().has(String(params.name))
      ? ctx.error(500, "Only OVN log entries may be retrieved at this time")
      : ctx.error(404, "Network ACL not found"),
  );
  return { items: family.items, handlers: [log, ...family.handlers] };
}
