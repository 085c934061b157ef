// What every instance call shares: its options, their checks (validate.ts) and the project query.
export { checkInstanceCall } from "../utils/validate.js";

export interface InstanceCallOptions {
  project?: string;
  signal?: AbortSignal;
}

export const projectQuery = (project: string | undefined) => (project !== undefined ? { project } : {});
