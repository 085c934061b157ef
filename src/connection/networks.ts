// The network families' factories over the shared core, for the registry (registry.ts) and for a
// page that imports only what it uses: `lxdNetworks(createLxdBase()).list()` bundles the networks
// family and not ACLs, forwards, load balancers, peers or zones.
import { family } from "./capabilities.js";
import { createNetworkAcls } from "../capabilities/network-acls.js";
import { createNetworkForwards } from "../capabilities/network-forwards.js";
import { createNetworkLoadBalancers } from "../capabilities/network-load-balancers.js";
import { createNetworkPeers } from "../capabilities/network-peers.js";
import { createNetworkZones } from "../capabilities/network-zones.js";
import { createNetworks } from "../capabilities/networks.js";

/** Networks: list, get, create, update, patch, rename, delete, state, leases. */
export const lxdNetworks = /* @__PURE__ */ family(createNetworks);
/** Network ACLs (extension `network_acl`). */
export const lxdNetworkAcls = /* @__PURE__ */ family(createNetworkAcls);
/** A network's address forwards (extension `network_forward`). */
export const lxdNetworkForwards = /* @__PURE__ */ family(createNetworkForwards);
/** A network's load balancers (extension `network_load_balancer`). */
export const lxdNetworkLoadBalancers = /* @__PURE__ */ family(createNetworkLoadBalancers);
/** A network's peerings (extension `network_peer`). */
export const lxdNetworkPeers = /* @__PURE__ */ family(createNetworkPeers);
/** DNS zones and their records (extensions `network_dns`, `network_dns_records`). */
export const lxdNetworkZones = /* @__PURE__ */ family(createNetworkZones);
