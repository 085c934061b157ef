// Network ACLs (`/1.0/network-acls`, API extension `network_acl`): a family on the collection
// helper (collection.ts), rename included. An ACL applies to a network through its
// `security.acls` config key; LXD refuses to delete one in use.
import { type CollectionApi, collection, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/network-acls";
const ITEM = "/1.0/network-acls/{name}";

export type NetworkAcl = components["schemas"]["NetworkACL"];
export type NetworkAclRule = components["schemas"]["NetworkACLRule"];

/** list, get, create, update, patch, rename, delete: typed from the API description. */
export type NetworkAclsApi<L extends Lead = Flat> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

export const createNetworkAcls = (deps: FamilyDeps): NetworkAclsApi =>
  collection<typeof LIST, typeof ITEM>(deps, {
    name: "networkAcls",
    list: LIST,
    item: ITEM,
    key: "name",
    extension: "network_acl",
    allProjectsExtension: "network_acls_all_projects",
  });
