// A network's load balancers (`/1.0/networks/{networkName}/load-balancers`, API extension
// `network_load_balancer`, which LXD 5.0 lacks and Incus 6.0 has): a nested family on the
// collection helper (collection.ts), keyed by the listen address; no rename in LXD's API.
import { type CollectionApi, collection, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/networks/{networkName}/load-balancers";
const ITEM = "/1.0/networks/{networkName}/load-balancers/{listenAddress}";

export type NetworkLoadBalancer = components["schemas"]["NetworkLoadBalancer"];

/** list, get, create, update, patch, delete and watch, each after the network's name. */
export type NetworkLoadBalancersApi<L extends Lead = Flat> = Omit<CollectionApi<typeof LIST, typeof ITEM, [network: string], L>, "rename">;

export function createNetworkLoadBalancers(deps: FamilyDeps): NetworkLoadBalancersApi {
  const { rename: _, ...family } = collection<typeof LIST, typeof ITEM, [network: string]>(deps, {
    name: "networkLoadBalancers",
    list: LIST,
    item: ITEM,
    parents: ["networkName"],
    key: "listenAddress",
    extension: "network_load_balancer",
  });
  return family;
}
