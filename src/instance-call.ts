// What every instance call shares: the checks of its name and options, and the project query.
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
