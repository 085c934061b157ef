// An LXD cluster's members (`GET /1.0/cluster/members`): who they are, where they listen, and
// whether they are up, in one request. A standalone server answers LxdError 500 "Server is not
// clustered".
import type { CallOptions } from "./options.js";
import type { Core } from "../request/core.js";
import type { Args, Flat, Lead } from "./mutator.js";
import { syncMetadata } from "../request/envelope.js";
import type { components } from "../generated/lxd.js";
import { checkOptions, checkSegment, checkSignal } from "../utils/validate.js";

/**
 * A member as LXD 5.0 describes it. `status` is "Online", "Offline" or "Evacuated" (and
 * `message` says why); LXD learns a member is gone from missed heartbeats, so a member that just
 * died stays "Online" for a while.
 */
export type ClusterMember = components["schemas"]["ClusterMember"];

export type ClusterCallOptions = CallOptions;

export interface ClusterApi<L extends Lead = Flat> {
  /** Every member, with its state (`?recursion=1`: one request). */
  members(...a: Args<L, [options?: ClusterCallOptions]>): Promise<ClusterMember[]>;
  /** One member by its name (`server_name`). */
  member(...a: Args<L, [name: string, options?: ClusterCallOptions]>): Promise<ClusterMember>;
}

export function createCluster(core: Core): ClusterApi {
  return {
    async members(remote?, given?) {
      const signal = checkSignal("cluster.members", checkOptions("cluster.members", given).signal);
      return syncMetadata(await core.send(remote, "GET", "/1.0/cluster/members", { params: { query: { recursion: 1 } }, signal }));
    },
    async member(remote, name, given) {
      checkSegment("cluster.member", "member name", name);
      const signal = checkSignal("cluster.member", checkOptions("cluster.member", given).signal);
      const sent = await core.send(remote, "GET", "/1.0/cluster/members/{name}", { params: { path: { name } }, signal });
      return syncMetadata(sent);
    },
  };
}
