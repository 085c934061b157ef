// Network ACLs (`/1.0/network-acls`, API extension `network_acl`): a family on the collection
// helper (collection.ts), rename included, and an ACL's log (`…/log`, `network_acl_log`). An ACL
// applies to a network through its `security.acls` config key; LXD refuses to delete one in use.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension } from "./server.js";
import { sendRaw } from "../request/raw.js";
import { classifyFailure } from "../request/pipeline.js";
import { checkSegment } from "../utils/validate.js";

const LIST = "/1.0/network-acls";
const ITEM = "/1.0/network-acls/{name}";
const LOG = "/1.0/network-acls/{name}/log";

export type NetworkAcl = components["schemas"]["NetworkACL"];
export type NetworkAclRule = components["schemas"]["NetworkACLRule"];

/** list, get, create, update, patch, rename, delete: typed from the API description; and `log`. */
export interface NetworkAclsApi<L extends Lead = Flat> extends CollectionApi<typeof LIST, typeof ITEM, [], L> {
  /**
   * The ACL's log as the server keeps it (raw text, one entry a line). LXD and Incus keep one only
   * for ACLs on OVN networks: elsewhere they refuse (500 "Only OVN log entries may be retrieved at
   * this time"), an LxdError.
   */
  log: Call<[name: string], ProjectOptions, string, L>;
}

/** The network ACLs family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkAclsFamily: Family<typeof LIST, typeof ITEM> = {
  name: "networkAcls",
  list: LIST,
  item: ITEM,
  key: "name",
  extension: "network_acl",
  allProjectsExtension: "network_acls_all_projects",
};

export function createNetworkAcls(deps: FamilyDeps): NetworkAclsApi {
  const family = collection(deps, networkAclsFamily);
  const log = call<[string], ProjectOptions, string>("networkAcls.log", 1, async (at, [name], o) => {
    const where = "networkAcls.log";
    checkSegment(where, "name", name);
    if (o.project !== undefined) checkSegment(where, "project", o.project);
    await requireExtension(deps.info, deps.core.resolve(at), "network_acl_log", where, o.signal);
    const query = o.project !== undefined ? { project: o.project } : {};
    const sent = await sendRaw(deps.core, at, "GET", LOG, { params: { path: { name }, query }, signal: o.signal });
    try {
      return await sent.response.text();
    } catch (err) {
      throw classifyFailure(sent.ctx, err, o.signal);
    }
  });
  return { ...family, log };
}
