// What every instance call shares: its options, their checks (validate.ts) and the project query.
export { checkInstanceCall } from "../utils/validate.js";

import type { ProjectOptions } from "./options.js";

export type InstanceCallOptions = ProjectOptions;

export const projectQuery = (project: string | undefined) => (project !== undefined ? { project } : {});
