// DNS zones (`/1.0/network-zones`, API extension `network_dns`) and their records
// (`/1.0/network-zones/{zone}/records`, `network_dns_records`): two families on the collection
// helper (collection.ts), the records nested under `records`. LXD renames neither.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/network-zones";
const ITEM = "/1.0/network-zones/{zone}";
const RECORDS = "/1.0/network-zones/{zone}/records";
const RECORD = "/1.0/network-zones/{zone}/records/{name}";

export type NetworkZone = components["schemas"]["NetworkZone"];
export type NetworkZoneRecord = components["schemas"]["NetworkZoneRecord"];

/** A zone's records: list, get, create, update, patch, delete and watch, each after the zone's name. */
export type NetworkZoneRecordsApi<L extends Lead = Flat> = Omit<CollectionApi<typeof RECORDS, typeof RECORD, [zone: string], L>, "rename">;

/** list, get, create, update, patch, delete, watch, and the zones' `records`. */
export interface NetworkZonesApi<L extends Lead = Flat> extends Omit<CollectionApi<typeof LIST, typeof ITEM, [], L>, "rename"> {
  readonly records: NetworkZoneRecordsApi<L>;
}

/** The network zones family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkZonesFamily: Family<typeof LIST, typeof ITEM> = {
  name: "networkZones",
  list: LIST,
  item: ITEM,
  key: "zone",
  extension: "network_dns",
  allProjectsExtension: "network_zones_all_projects",
};

/** A zone's DNS records' paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const networkZoneRecordsFamily: Family<typeof RECORDS, typeof RECORD, [zone: string]> = {
  name: "networkZones.records",
  list: RECORDS,
  item: RECORD,
  parents: ["zone"],
  key: "name",
  extension: "network_dns_records",
};

export function createNetworkZones(deps: FamilyDeps): NetworkZonesApi {
  const { rename: _, ...zones } = collection(deps, networkZonesFamily);
  const { rename: __, ...records } = collection(deps, networkZoneRecordsFamily);
  return { ...zones, records };
}
