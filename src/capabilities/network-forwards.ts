// A network's address forwards (`/1.0/networks/{networkName}/forwards`, API extension
// `network_forward`): a nested family on the collection helper (collection.ts), keyed by the
// listen address. LXD has no rename for them.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/networks/{networkName}/forwards";
const ITEM = "/1.0/networks/{networkName}/forwards/{listenAddress}";

export type NetworkForward = components["schemas"]["NetworkForward"];

/** list, get, create, update, patch, delete and watch, each after the network's name. */
export type NetworkForwardsApi<L extends Lead = Flat> = Omit<CollectionApi<typeof LIST, typeof ITEM, [network: string], L>, "rename">;

/** The network forwards family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkForwardsFamily: Family<typeof LIST, typeof ITEM, [network: string]> = {
  name: "networkForwards",
  list: LIST,
  item: ITEM,
  parents: ["networkName"],
  key: "listenAddress",
  extension: "network_forward",
};

export function createNetworkForwards(deps: FamilyDeps): NetworkForwardsApi {
  const { rename: _, ...family } = collection(deps, networkForwardsFamily);
  return family;
}
