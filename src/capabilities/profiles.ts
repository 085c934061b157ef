// Profiles: a family on the collection helper (collection.ts), nothing special to add.
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/profiles";
const ITEM = "/1.0/profiles/{name}";

/** list, get, create, update, patch, rename, delete: typed from the API description. */
export type ProfilesApi<L extends Lead = Flat> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

/** The profiles family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const profilesFamily: Family<typeof LIST, typeof ITEM> = {
  name: "profiles",
  list: LIST,
  item: ITEM,
  key: "name",
  allProjectsExtension: "profiles_all_projects",
};

export const createProfiles = (deps: FamilyDeps): ProfilesApi => collection<typeof LIST, typeof ITEM>(deps, profilesFamily);
