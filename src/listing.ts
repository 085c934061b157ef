// The collection lists LXD filters the same way (instances, images): `recursion`, `filter`, one
// project or all of them (an API extension), and names read from the URLs of `recursion=0`.
import type { Core } from "./core.js";
import { syncMetadata } from "./envelope.js";
import { InvalidArgumentError } from "./errors.js";
import { lastSegment } from "./instance-call.js";
import { requireExtension, type InfoCache } from "./server.js";
import { checkBoolean, checkSegment, checkSignal, checkText } from "./validate.js";

export interface ListScope {
  recursion?: number | boolean | undefined;
  filter?: string | undefined;
  project?: string | undefined;
  allProjects?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** `GET path` with the scope's query: names, or the objects when `recursion` is set. */
export async function listCollection(
  deps: { core: Core; info: InfoCache },
  remote: string | undefined,
  path: "/1.0/instances" | "/1.0/images",
  o: ListScope,
  where: string,
  allProjectsExtension: string,
): Promise<unknown[]> {
  if (o.filter !== undefined) checkText(where, "filter", o.filter);
  checkBoolean(where, "allProjects", o.allProjects);
  if (o.project !== undefined) checkSegment(where, "project", o.project);
  checkSignal(where, o.signal);
  if (o.project !== undefined && o.allProjects)
    throw new InvalidArgumentError(`${where}: \`project\` and \`allProjects\` exclude each other`);
  if (o.allProjects)
    await requireExtension(deps.info, deps.core.resolve(remote), allProjectsExtension, `${where}({ allProjects })`, o.signal);
  const query = {
    ...(o.recursion && { recursion: Number(o.recursion) }),
    ...(o.filter !== undefined && { filter: o.filter }),
    ...(o.project !== undefined && { project: o.project }),
    ...(o.allProjects && { "all-projects": true }),
  };
  const found = syncMetadata<unknown[] | null>(await deps.core.send(remote, "GET", path, { params: { query }, signal: o.signal })) ?? [];
  return o.recursion ? found : (found as string[]).map(lastSegment);
}
