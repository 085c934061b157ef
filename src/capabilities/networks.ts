// Networks: a family on the collection helper (collection.ts), plus a network's state and its
// DHCP leases. `create` checks the network type against the drivers LXD and Incus know before
// sending; ACLs, forwards, load balancers, peers and zones are families of their own
// (network-*.ts), so a page that only lists networks bundles none of them.
import { syncMetadata } from "../request/envelope.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkSegment } from "../utils/validate.js";
import {
  type BodyFor,
  type CollectionApi,
  collection,
  type Family,
  type FamilyDeps,
  type ProjectOptions,
  type Written,
} from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { requireExtension } from "./server.js";

const LIST = "/1.0/networks";
const ITEM = "/1.0/networks/{name}";

type Schemas = components["schemas"];
export type Network = Schemas["Network"];
export type NetworkState = Schemas["NetworkState"];
export type NetworkLease = Schemas["NetworkLease"];

/**
 * The network drivers of LXD 5.0 and Incus 6.0 (both answer "Unknown driver" to any other
 * type); `loopback` and `unknown` appear in listings of the host's own interfaces, which are
 * not managed and cannot be created.
 */
export const NETWORK_TYPES = ["bridge", "macvlan", "sriov", "ovn", "physical"] as const;
export type NetworkType = (typeof NETWORK_TYPES)[number];

/** `POST /1.0/networks`: a name, and a type LXD knows (bridge when left out). */
export type NetworksPost = Omit<BodyFor<"POST", typeof LIST>, "name" | "type"> & { name: string; type?: NetworkType };

type Networks<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

export interface NetworksApi<L extends Lead = Flat> extends Omit<Networks<L>, "create"> {
  /** `POST /1.0/networks`; an unknown `type` is an InvalidArgumentError before sending. */
  create: Call<[body: NetworksPost], ProjectOptions, Written<"POST", typeof LIST>, L>;
  /** `GET /1.0/networks/{name}/state`: addresses, counters, MTU, bridge or bond details. */
  state: Call<[name: string], ProjectOptions, NetworkState, L>;
  /** `GET /1.0/networks/{name}/leases`: the DHCP leases of a managed network. */
  leases: Call<[name: string], ProjectOptions, NetworkLease[], L>;
}

/** The networks family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networksFamily: Family<typeof LIST, typeof ITEM> = {
  name: "networks",
  list: LIST,
  item: ITEM,
  key: "name",
  allProjectsExtension: "networks_all_projects",
};

export function createNetworks(deps: FamilyDeps): NetworksApi {
  const family = collection(deps, networksFamily);
  const create = call<[NetworksPost], ProjectOptions, unknown>("networks.create", 1, async (at, [body], o) => {
    const type = (body as { type?: unknown } | null)?.type;
    if (type !== undefined && !NETWORK_TYPES.includes(type as NetworkType))
      throw new InvalidArgumentError(
        `networks.create: unknown network type ${JSON.stringify(type)} (LXD knows ${NETWORK_TYPES.join(", ")})`,
      );
    return family.create(at, body, o);
  });
  // A GET of one network's sub-resource, in the call's project.
  const read = (what: "state" | "leases", extension: string) =>
    call<[string], ProjectOptions, never>(`networks.${what}`, 1, async (at, [name], o) => {
      const where = `networks.${what}`;
      checkSegment(where, "name", name);
      if (o.project !== undefined) checkSegment(where, "project", o.project);
      await requireExtension(deps.info, deps.core.resolve(at), extension, where, o.signal);
      const query = o.project !== undefined ? { project: o.project } : {};
      const path = what === "state" ? "/1.0/networks/{name}/state" : "/1.0/networks/{name}/leases";
      return syncMetadata(await deps.core.send(at, "GET", path, { params: { path: { name }, query }, signal: o.signal })) as never;
    });
  return {
    ...family,
    create: create as NetworksApi["create"],
    state: read("state", "network_state"),
    leases: read("leases", "network_leases"),
  };
}
