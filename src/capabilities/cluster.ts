// An LXD cluster: its own description (`GET /1.0/cluster`), its members (who they are, where they
// listen, whether they are up, their config and groups), evacuating a member and restoring it,
// and its groups (`groups`, cluster-groups.ts). A standalone server answers LxdError 500 "Server
// is not clustered".
import type { ProjectOptions } from "./options.js";
import { syncMetadata } from "../request/envelope.js";
import type { components } from "../generated/lxd.js";
import { type Args, call, type Call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, startOperation } from "./operation.js";
import { requireExtension } from "./server.js";
import type { FamilyDeps } from "./collection.js";
import { createClusterGroups, type ClusterGroupsApi } from "./cluster-groups.js";
import { InvalidArgumentError } from "../utils/errors.js";
import { checkBoolean, checkOptions, checkSegment, checkSignal, checkText } from "../utils/validate.js";
import { sendWrite } from "./written.js";

/**
 * A member as LXD 5.0 describes it. `status` is "Online", "Offline" or "Evacuated" (and
 * `message` says why); LXD learns a member is gone from missed heartbeats, so a member that just
 * died stays "Online" for a while.
 */
export type ClusterMember = components["schemas"]["ClusterMember"];
/** What a member's PUT takes: description, failure domain, groups, roles, config. */
export type ClusterMemberPut = components["schemas"]["ClusterMemberPut"];
/** `GET /1.0/cluster`: the answering member's name, whether clustering is on, the join-time member config keys. */
export type ClusterInfo = components["schemas"]["Cluster"];

export type ClusterCallOptions = ProjectOptions;

/** How instances leave an evacuated member (the server's `cluster.evacuate` per instance otherwise). */
export type EvacuationMode = "auto" | "migrate" | "live-migrate" | "stop";

export interface EvacuateOptions {
  /** Overrides every instance's `cluster.evacuate` (API extension "clustering_evacuation_mode"). */
  mode?: EvacuationMode;
  signal?: AbortSignal;
}

export interface ClusterApi<L extends Lead = Flat> {
  /** The cluster's own description: the answering member's name, `enabled`, `member_config`. */
  info: Call<[], ClusterCallOptions, ClusterInfo, L>;
  /** Every member, with its state (`?recursion=1`: one request). */
  members(...a: Args<L, [options?: ClusterCallOptions]>): Promise<ClusterMember[]>;
  /** One member by its name (`server_name`). */
  member(...a: Args<L, [name: string, options?: ClusterCallOptions]>): Promise<ClusterMember>;
  /**
   * `PUT`: replaces a member's description, failure domain, groups, roles and config. Undefined
   * when done at once (LXD 5.0), else the operation a newer server runs it as; `wait: true` waits.
   */
  updateMember: Call<[name: string, body: ClusterMemberPut], MemberWriteOptions, LxdOperation | undefined, L>;
  /** `PATCH`: changes the fields given, e.g. `{ groups: ["default", "gpu"] }`; answered as `updateMember` is. */
  patchMember: Call<[name: string, fields: Partial<ClusterMemberPut>], MemberWriteOptions, LxdOperation | undefined, L>;
  /**
   * Sets the groups a member is in: reads the member and writes it back with these groups (PUT
   * with its ETag, as `lxc cluster group assign` does), since LXD 5.0.2's PATCH of a member
   * clears the fields it is not given.
   */
  setMemberGroups: Call<[name: string, groups: string[]], CallOnly, void, L>;
  /** Moves (or stops) every instance off the member and marks it "Evacuated": the operation to wait on. */
  evacuate: Call<[name: string], EvacuateOptions, LxdOperation, L>;
  /** Brings the member back and its evacuated instances home (started again where they ran): the operation. */
  restore: Call<[name: string], CallOnly, LxdOperation, L>;
  /** Cluster groups: list, get, create, update, patch, rename, delete (API extension "clustering_groups"). */
  readonly groups: ClusterGroupsApi<L>;
}

type CallOnly = { signal?: AbortSignal };
/** A member write's options: with `wait: true`, an operation the server answers with is waited for. */
export type MemberWriteOptions = ClusterCallOptions & { wait?: boolean };

const MODES: readonly string[] = ["auto", "migrate", "live-migrate", "stop"] satisfies EvacuationMode[];
const MEMBER = "/1.0/cluster/members/{name}";

export function createCluster(deps: FamilyDeps): ClusterApi {
  const { core } = deps;
  const write = (method: "PUT" | "PATCH", where: string) =>
    call<[string, object], MemberWriteOptions, LxdOperation | undefined>(where, 2, async (at, [name, body], o) => {
      checkSegment(where, "member name", name);
      checkMemberBody(where, body);
      checkBoolean(where, "wait", o.wait);
      // Sync on LXD 5.0; an operation on LXD 6.8+ and newer Incus.
      const op = await sendWrite(deps, at, method, MEMBER, { path: { name }, body, signal: o.signal });
      if (op && !o.wait) return op;
      await op?.wait(o.signal ? { signal: o.signal } : {});
      return undefined;
    });
  const state = (where: string, action: "evacuate" | "restore") =>
    call<[string], EvacuateOptions, LxdOperation>(where, 1, async (at, [name], o) => {
      checkSegment(where, "member name", name);
      if (o.mode !== undefined && !MODES.includes(o.mode))
        throw new InvalidArgumentError(`${where}: mode must be one of ${MODES.join(", ")} (got ${JSON.stringify(o.mode)})`);
      const remote = core.resolve(at);
      await requireExtension(deps.info, remote, "clustering_evacuation", where, o.signal);
      if (o.mode !== undefined) await requireExtension(deps.info, remote, "clustering_evacuation_mode", `${where}({ mode })`, o.signal);
      return startOperation(deps, at, "POST", "/1.0/cluster/members/{name}/state", {
        params: { path: { name } },
        body: { action, ...(o.mode !== undefined && { mode: o.mode }) },
        signal: o.signal,
      });
    });
  return {
    info: call<[], ClusterCallOptions, ClusterInfo>("cluster.info", 0, async (at, _, o) =>
      syncMetadata(await core.send(at, "GET", "/1.0/cluster", { signal: o.signal })),
    ),
    async members(remote?, given?) {
      const signal = checkSignal("cluster.members", checkOptions("cluster.members", given).signal);
      return syncMetadata(await core.send(remote, "GET", "/1.0/cluster/members", { params: { query: { recursion: 1 } }, signal }));
    },
    async member(remote, name, given) {
      checkSegment("cluster.member", "member name", name);
      const signal = checkSignal("cluster.member", checkOptions("cluster.member", given).signal);
      const sent = await core.send(remote, "GET", MEMBER, { params: { path: { name } }, signal });
      return syncMetadata(sent);
    },
    updateMember: write("PUT", "cluster.updateMember") as ClusterApi["updateMember"],
    patchMember: write("PATCH", "cluster.patchMember") as ClusterApi["patchMember"],
    setMemberGroups: call<[string, string[]], CallOnly, void>("cluster.setMemberGroups", 2, async (at, [name, groups], o) => {
      const where = "cluster.setMemberGroups";
      checkSegment(where, "member name", name);
      checkMemberBody(where, { groups });
      const got = await core.send(at, "GET", MEMBER, { params: { path: { name } }, signal: o.signal });
      const m = syncMetadata(got);
      const etag = got.headers.get("etag");
      const body: ClusterMemberPut = {
        description: m.description ?? "",
        config: m.config ?? {},
        failure_domain: m.failure_domain ?? "default",
        roles: m.roles ?? [],
        groups,
      };
      // The ETag makes LXD refuse (412) a write over a change made since the read.
      const op = await sendWrite(deps, at, "PUT", MEMBER, {
        path: { name },
        body,
        ...(etag && { headers: { "If-Match": etag } }),
        signal: o.signal,
      });
      // Newer servers run it as an operation: done when it is.
      await op?.wait(o.signal ? { signal: o.signal } : {});
    }),
    evacuate: state("cluster.evacuate", "evacuate"),
    restore: state("cluster.restore", "restore") as ClusterApi["restore"],
    groups: createClusterGroups(deps),
  };
}

/** A member's body: an object; its groups and roles arrays of names, its config a map of strings. */
function checkMemberBody(where: string, body: unknown): void {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new InvalidArgumentError(`${where}: the body must be an object`);
  const { groups, roles, config, description, failure_domain } = body as Record<string, unknown>;
  for (const [k, list] of [
    ["groups", groups],
    ["roles", roles],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new InvalidArgumentError(`${where}: ${k} must be an array of names`);
    for (const g of list) checkSegment(where, `${k} entry`, g);
  }
  if (description !== undefined) checkText(where, "description", description);
  if (failure_domain !== undefined) checkSegment(where, "failure_domain", failure_domain);
  if (config !== undefined) {
    if (typeof config !== "object" || config === null || Array.isArray(config))
      throw new InvalidArgumentError(`${where}: config must be an object of strings`);
    for (const [k, v] of Object.entries(config))
      if (typeof v !== "string") throw new InvalidArgumentError(`${where}: config.${k} must be a string (LXD's config values are strings)`);
  }
}
