// Projects: a family on the collection helper (collection.ts), plus their resource usage.
import { syncMetadata } from "../request/envelope.js";
import { checkSegment } from "../utils/validate.js";
import { type CollectionApi, collection, type Family, type FamilyDeps } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { CallOptions } from "./options.js";

const LIST = "/1.0/projects";
const ITEM = "/1.0/projects/{name}";

export type ProjectState = components["schemas"]["ProjectState"];

export interface ProjectsApi<L extends Lead = Flat> extends CollectionApi<typeof LIST, typeof ITEM, [], L> {
  /** `GET /1.0/projects/{name}/state`: what the project uses of each of its limits. */
  state: Call<[name: string], CallOptions, ProjectState, L>;
}

/** The projects family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const projectsFamily: Family<typeof LIST, typeof ITEM> = { name: "projects", list: LIST, item: ITEM, key: "name" };

export function createProjects(deps: FamilyDeps): ProjectsApi {
  const family = collection(deps, projectsFamily);
  const state = call<[string], CallOptions, ProjectState>("projects.state", 1, async (at, [name], o) => {
    checkSegment("projects.state", "name", name);
    return syncMetadata(await deps.core.send(at, "GET", "/1.0/projects/{name}/state", { params: { path: { name } }, signal: o.signal }));
  });
  return { ...family, state };
}
