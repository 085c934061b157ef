// The collection lists LXD filters the same way (instances, images): `filter`, one project or all
// of them (an API extension), and names read from the URLs of `recursion=0`. Each helper sends
// its own GET, so that the spec types the answer of the recursion it asks for.
import type { Core } from "../request/core.js";
import type { Where } from "../request/pipeline.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { requireExtension, type InfoCache } from "./server.js";
import { checkBoolean, checkSegment, checkText } from "../utils/validate.js";

export interface ListScope {
  filter?: string | undefined;
  project?: string | undefined;
  allProjects?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export interface ListQuery {
  filter?: string;
  project?: string;
  "all-projects"?: boolean;
}

/**
 * Checks the scope and gives its query: all projects needs `allProjectsExtension`, a filter
 * `filterExtension`, since a server without it ignores the parameter and answers the whole list
 * (LXD 5.0.2 and current LXD filter instances, images, volumes and warnings only; Incus every
 * collection).
 */
export async function listQuery(
  deps: { core: Core; info: InfoCache },
  remote: Where,
  o: ListScope,
  where: string,
  allProjectsExtension: string,
  filterExtension: string,
): Promise<ListQuery> {
  if (o.filter !== undefined) checkText(where, "filter", o.filter);
  checkBoolean(where, "allProjects", o.allProjects);
  if (o.project !== undefined) checkSegment(where, "project", o.project);
  if (o.project !== undefined && o.allProjects)
    throw new InvalidArgumentError(`${where}: \`project\` and \`allProjects\` exclude each other`);
  if (o.allProjects)
    await requireExtension(deps.info, deps.core.resolve(remote), allProjectsExtension, `${where}({ allProjects })`, o.signal);
  if (o.filter !== undefined)
    await requireExtension(deps.info, deps.core.resolve(remote), filterExtension, `${where}({ filter })`, o.signal);
  return {
    ...(o.filter !== undefined && { filter: o.filter }),
    ...(o.project !== undefined && { project: o.project }),
    ...(o.allProjects && { "all-projects": true }),
  };
}

/** `/1.0/instances/c1?project=p` → `c1`. */
function lastSegment(url: string): string {
  const path = url.split("?")[0]!;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}

/** The names in a `recursion=0` answer. */
export const namesOf = (urls: string[] | null): string[] => (urls ?? []).map(lastSegment);
