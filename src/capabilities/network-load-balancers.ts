// A network's load balancers (`/1.0/networks/{networkName}/load-balancers`, API extension
// `network_load_balancer`, which LXD 5.0 lacks and Incus 6.0 has): a nested family on the
// collection helper (collection.ts), keyed by the listen address; no rename in LXD's API. A
// balancer's backend health is its `state` (`network_load_balancer_state`, Incus).
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension } from "./server.js";
import { untypedSend } from "../request/core.js";
import { syncMetadata } from "../request/envelope.js";
import { checkSegment } from "../utils/validate.js";

const LIST = "/1.0/networks/{networkName}/load-balancers";
const ITEM = "/1.0/networks/{networkName}/load-balancers/{listenAddress}";
const STATE = "/1.0/networks/{networkName}/load-balancers/{listenAddress}/state";

export type NetworkLoadBalancer = components["schemas"]["NetworkLoadBalancer"];
export type NetworkLoadBalancerState = components["schemas"]["NetworkLoadBalancerState"];

/** list, get, create, update, patch, delete and watch, each after the network's name; and `state`. */
export interface NetworkLoadBalancersApi<L extends Lead = Flat>
  extends Omit<CollectionApi<typeof LIST, typeof ITEM, [network: string], L>, "rename"> {
  /** The backends' health (OVN networks; a bridge's is LXD's refusal, an LxdError). */
  state: Call<[network: string, listenAddress: string], ProjectOptions, NetworkLoadBalancerState, L>;
}

/** The network load balancers family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkLoadBalancersFamily: Family<typeof LIST, typeof ITEM, [network: string]> = {
  name: "networkLoadBalancers",
  list: LIST,
  item: ITEM,
  parents: ["networkName"],
  key: "listenAddress",
  extension: "network_load_balancer",
};

export function createNetworkLoadBalancers(deps: FamilyDeps): NetworkLoadBalancersApi {
  const { rename: _, ...family } = collection(deps, networkLoadBalancersFamily);
  const state = call<[string, string], ProjectOptions, NetworkLoadBalancerState>(
    "networkLoadBalancers.state",
    2,
    async (at, [network, listen], o) => {
      const where = "networkLoadBalancers.state";
      const path = {
        networkName: checkSegment(where, "networkName", network),
        listenAddress: checkSegment(where, "listenAddress", listen),
      };
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      await requireExtension(deps.info, deps.core.resolve(at), "network_load_balancer_state", where, o.signal);
      const query = o.project !== undefined ? { project: o.project } : {};
      const sent = await untypedSend(deps.core)(at, "GET", STATE, { params: { path, query }, signal: o.signal });
      return syncMetadata(sent) as NetworkLoadBalancerState;
    },
  );
  return { ...family, state };
}
