// Rebuilding an instance (`POST /1.0/instances/{name}/rebuild`, API extension "instances_rebuild"):
// its root disk made anew from an image, or empty, keeping its name, config and devices. The
// instance must be stopped; the server runs it as an operation.
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import type { ProjectOptions } from "./options.js";
import { requireExtension, type InfoCache } from "./server.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkInstanceCall, checkSegment, checkText } from "../utils/validate.js";

/** An image alias, `{ alias }`, `{ fingerprint }`, or `null` for an empty root disk. */
export type RebuildSource = string | { alias: string } | { fingerprint: string } | null;

export type RebuildCall<L extends Lead = Flat> = Call<[instance: string, source: RebuildSource], ProjectOptions, LxdOperation, L>;

function source(where: string, s: RebuildSource): { type: "image" | "none"; alias?: string; fingerprint?: string } {
  if (s === null) return { type: "none" };
  if (typeof s === "string") return { type: "image", alias: checkText(where, "image alias", s, { empty: false }) };
  if (typeof s === "object" && "alias" in s) return { type: "image", alias: checkText(where, "image alias", s.alias, { empty: false }) };
  if (typeof s === "object" && "fingerprint" in s)
    return { type: "image", fingerprint: checkSegment(where, "image fingerprint", s.fingerprint) };
  throw new InvalidArgumentError(`${where}: the source must be an image alias, { alias }, { fingerprint } or null`);
}

export function createRebuild(deps: StartDeps & { info: InfoCache }): RebuildCall {
  return call<[string, RebuildSource], ProjectOptions, LxdOperation>("instances.rebuild", 2, async (at, [name, from], o) => {
    const where = "instances.rebuild";
    checkInstanceCall(where, name, o);
    const body = { source: source(where, from) };
    await requireExtension(deps.info, deps.core.resolve(at), "instances_rebuild", where, o.signal);
    return startOperation(deps, at, "POST", "/1.0/instances/{name}/rebuild", {
      params: { path: { name } },
      body,
      signal: o.signal,
      project: o.project,
    });
  });
}
