// Profiles: a family on the collection helper (collection.ts), nothing special to add.
import { type CollectionApi, collection, type FamilyDeps } from "./collection.js";
import type { Flat, Lead } from "./mutator.js";

const LIST = "/1.0/profiles";
const ITEM = "/1.0/profiles/{name}";

/** list, get, create, update, patch, rename, delete: typed from the API description. */
export type ProfilesApi<L extends Lead = Flat> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

export const createProfiles = (deps: FamilyDeps): ProfilesApi =>
  collection<typeof LIST, typeof ITEM>(deps, {
    name: "profiles",
    list: LIST,
    item: ITEM,
    key: "name",
    allProjectsExtension: "profiles_all_projects",
  });
