// The server's warnings (`/1.0/warnings`, API extension "warnings"): what the daemon found wrong
// with its host or an entity (no AppArmor, a missing cgroup controller, an offline member). The
// daemon creates them; a client lists, reads, acknowledges and deletes them. A family on the
// collection helper (collection.ts) without create or rename, which LXD has not for warnings.
import { type CollectionApi, collection, type Family, type FamilyDeps, type ProjectOptions } from "./collection.js";
import type { components } from "../generated/lxd.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { LxdOperation } from "./operation.js";
import { InvalidArgumentError } from "../utils/errors.js";

const LIST = "/1.0/warnings";
const ITEM = "/1.0/warnings/{uuid}";

/** A warning: `status` is "new", "acknowledged" or "resolved" (the daemon resolves; a client cannot). */
export type Warning = components["schemas"]["Warning"];

/** What a client may set a warning's status to; LXD answers 403 to "resolved". */
export type WarningStatus = "new" | "acknowledged";

const SETTABLE: readonly string[] = ["new", "acknowledged"] satisfies WarningStatus[];

type Warnings<L extends Lead> = CollectionApi<typeof LIST, typeof ITEM, [], L>;

export interface WarningsApi<L extends Lead = Flat> extends Pick<Warnings<L>, "list" | "get" | "delete"> {
  /** `PUT`: sets the status ("new" or "acknowledged"). */
  update: Call<[uuid: string, body: { status: WarningStatus }], ProjectOptions, LxdOperation | undefined, L>;
  /** `PATCH`: the same (a warning has no other field: LXD refuses a PATCH without a status, 400). */
  patch: Call<[uuid: string, fields: { status: WarningStatus }], ProjectOptions, LxdOperation | undefined, L>;
  /** Marks the warning acknowledged (`PATCH {status: "acknowledged"}`), as `lxc warning ack` does. */
  acknowledge: Call<[uuid: string], ProjectOptions, LxdOperation | undefined, L>;
}

/** The warnings family's paths, for `lxdList`/`lxdGet` alone and for its calls. */
export const warningsFamily: Family<typeof LIST, typeof ITEM> = {
  name: "warnings",
  list: LIST,
  item: ITEM,
  key: "uuid",
  extension: "warnings",
  // LXD lists every project's warnings when the query names none; `all-projects` keeps a
  // connection's project off the query.
  allProjectsExtension: "warnings",
  // LXD filters warnings since their first version, which Incus has too.
  filterExtension: "warnings",
};

export function createWarnings(deps: FamilyDeps): WarningsApi {
  const family = collection(deps, warningsFamily);
  // A status LXD would refuse (400 for an unknown one, 403 for "resolved") is refused before sending.
  const status = (where: string, body: unknown) => {
    const s = (body as { status?: unknown } | null)?.status;
    if (typeof s !== "string" || !SETTABLE.includes(s))
      throw new InvalidArgumentError(`${where}: status must be "new" or "acknowledged" (got ${JSON.stringify(s)})`);
  };
  const write =
    (m: "update" | "patch") =>
    // The flat form's arguments (a connection passes its scope first): remote, uuid, body, ….
    async (...all: unknown[]) => {
      status(`warnings.${m}`, all[2]);
      return (family[m] as (...a: unknown[]) => Promise<LxdOperation | undefined>)(...all);
    };
  const acknowledge = call<[string], ProjectOptions, LxdOperation | undefined>("warnings.acknowledge", 1, (at, [uuid], o) =>
    family.patch(at, uuid, { status: "acknowledged" }, o),
  );
  return {
    list: family.list,
    get: family.get,
    delete: family.delete,
    update: write("update") as WarningsApi["update"],
    patch: write("patch") as WarningsApi["patch"],
    acknowledge,
  };
}
