// What every command's argument handling shares: usage errors and the `remote:` prefix.
import { InvalidArgumentError } from "../utils/errors.js";

export class UsageError extends InvalidArgumentError {}

/** `remote:rest` → [remote, rest]; a bare word has no remote. */
export function splitRemote(arg: string | undefined): [string | undefined, string] {
  if (arg === undefined) return [undefined, ""];
  const i = arg.indexOf(":");
  return i > 0 ? [arg.slice(0, i), arg.slice(i + 1)] : [undefined, arg];
}
