// What every instance call shares: the checks of its name and options, the project query, and
// names read from LXD's list URLs.
import { checkSegment, checkSignal } from "./validate.js";

export interface InstanceCallOptions {
  project?: string;
  signal?: AbortSignal;
}

/** Checks the name and the options every instance call shares. */
export function checkInstanceCall<O extends InstanceCallOptions>(where: string, name: unknown, options: O): O {
  checkSegment(where, "instance name", name);
  if (options.project !== undefined) checkSegment(where, "project", options.project);
  checkSignal(where, options.signal);
  return options;
}

export const projectQuery = (project: string | undefined) => (project !== undefined ? { project } : {});

/** `/1.0/instances/c1?project=p` → `c1`: the list's URLs as names. */
export function lastSegment(url: string): string {
  const path = url.split("?")[0]!;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}
