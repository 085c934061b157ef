// Cluster groups (`/1.0/cluster/groups`, API extension "clustering_groups"): named sets of
// members that placement can target (`target: "@gpu"`). A family on the collection helper
// (collection.ts); a member joins or leaves a group through its own `groups` (cluster.patchMember)
// or through the group's `members`.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/cluster/groups";
const ITEM = "/1.0/cluster/groups/{name}";

export type ClusterGroup = components["schemas"]["ClusterGroup"];

export type ClusterGroupsApi<L extends Lead = Flat> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

/** The cluster groups family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const clusterGroupsFamily: Family<typeof LIST, typeof ITEM> = {
  name: "cluster.groups",
  list: LIST,
  item: ITEM,
  key: "name",
  extension: "clustering_groups",
};

export const createClusterGroups = (deps: FamilyDeps): ClusterGroupsApi => collection<typeof LIST, typeof ITEM>(deps, clusterGroupsFamily);
