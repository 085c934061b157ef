// A network's peerings (`/1.0/networks/{networkName}/peers`, API extension `network_peer`): a
// nested family on the collection helper (collection.ts); only OVN networks peer, and LXD has no
// rename for them.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/networks/{networkName}/peers";
const ITEM = "/1.0/networks/{networkName}/peers/{peerName}";

export type NetworkPeer = components["schemas"]["NetworkPeer"];

/** list, get, create, update, patch, delete and watch, each after the network's name. */
export type NetworkPeersApi<L extends Lead = Flat> = Omit<CollectionApi<typeof LIST, typeof ITEM, [network: string], L>, "rename">;

/** The network peers family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkPeersFamily: Family<typeof LIST, typeof ITEM, [network: string]> = {
  name: "networkPeers",
  list: LIST,
  item: ITEM,
  parents: ["networkName"],
  key: "peerName",
  extension: "network_peer",
};

export function createNetworkPeers(deps: FamilyDeps): NetworkPeersApi {
  const { rename: _, ...family } = collection(deps, networkPeersFamily);
  return family;
}
