// The registry: every capability of a client, one entry each. The client (client.ts) exposes
// each in the flat form (the remote first) and every connection (connection.ts) binds each to its
// scope, so a capability added here is on both, scoped and targeted, with no further wiring.
import type { LxdBase } from "./base.js";
import type { ProfilesApi } from "../capabilities/profiles.js";
import { createProfiles } from "../capabilities/profiles.js";
import { createProjects, type ProjectsApi } from "../capabilities/projects.js";
import { createStorageBuckets, type StorageBucketsApi } from "../capabilities/storage-buckets.js";
import { createStoragePools, type StoragePoolsApi } from "../capabilities/storage-pools.js";
import type { StorageVolumesApi } from "../capabilities/storage-volumes.js";
import { createWarnings, type WarningsApi } from "../capabilities/warnings.js";
import { createMetrics, type MetricsApi } from "../capabilities/metrics.js";
import { createInstanceBackups, type InstanceBackupsApi } from "../capabilities/instance-backups.js";
import { createVolumeBackups, type VolumeBackupsApi } from "../capabilities/volume-backups.js";
import {
  type ApiCall,
  family,
  type EventsCall,
  type ExecCall,
  type LxdOperations,
  lxdApi,
  lxdCluster,
  lxdConsole,
  lxdEvents,
  lxdExec,
  lxdFiles,
  lxdImages,
  lxdInstances,
  lxdOperationsAndTrack,
  lxdRun,
  lxdServer,
  lxdTrust,
  type RunCall,
} from "./capabilities.js";
import type { ClusterApi } from "../capabilities/cluster.js";
import type { ConsoleApi } from "../capabilities/exec/console.js";
import type { FilesApi } from "../capabilities/files.js";
import type { ImagesApi } from "../capabilities/images.js";
import type { InstancesApi } from "../capabilities/instances.js";
import type { Flat, Lead } from "../capabilities/mutator.js";
import type { ServerApi } from "../capabilities/server.js";
import type { TrustApi } from "../capabilities/trust.js";
import type { NetworksApi } from "../capabilities/networks.js";
import type { NetworkAclsApi } from "../capabilities/network-acls.js";
import type { NetworkForwardsApi } from "../capabilities/network-forwards.js";
import type { NetworkLoadBalancersApi } from "../capabilities/network-load-balancers.js";
import type { NetworkPeersApi } from "../capabilities/network-peers.js";
import type { NetworkZonesApi } from "../capabilities/network-zones.js";
import type { InstanceMigrationApi } from "../capabilities/instance-copy.js";
import { lxdMigration } from "./migration.js";
import { lxdStorageVolumes } from "./storage-volumes.js";
import { lxdNetworkAcls, lxdNetworkForwards, lxdNetworkLoadBalancers, lxdNetworkPeers, lxdNetworks, lxdNetworkZones } from "./networks.js";

/** Each capability's factory over the shared core: its flat form. */
export const CAPABILITIES = {
  operations: lxdOperationsAndTrack,
  instances: lxdInstances,
  images: lxdImages,
  files: lxdFiles,
  console: lxdConsole,
  trust: lxdTrust,
  server: lxdServer,
  cluster: lxdCluster,
  events: lxdEvents,
  exec: lxdExec,
  run: lxdRun,
  api: lxdApi,
  profiles: /* @__PURE__ */ family(createProfiles),
  projects: /* @__PURE__ */ family(createProjects),
  networks: lxdNetworks,
  networkAcls: lxdNetworkAcls,
  networkForwards: lxdNetworkForwards,
  networkLoadBalancers: lxdNetworkLoadBalancers,
  networkPeers: lxdNetworkPeers,
  networkZones: lxdNetworkZones,
  storagePools: /* @__PURE__ */ family(createStoragePools),
  storageVolumes: lxdStorageVolumes,
  storageBuckets: /* @__PURE__ */ family(createStorageBuckets),
  warnings: /* @__PURE__ */ family(createWarnings),
  metrics: /* @__PURE__ */ family(createMetrics),
  migration: lxdMigration,
  backups: /* @__PURE__ */ family(createInstanceBackups),
  volumeBackups: /* @__PURE__ */ family(createVolumeBackups),
} satisfies { [K in keyof Capabilities<Flat>]: (base: LxdBase) => Capabilities<Flat>[K] };

/** The capabilities with their lead: `Flat` (the remote first) on a client, `[]` on a connection. */
export interface Capabilities<L extends Lead> {
  /** list, info, delete/cancel, wait (each with an optional result mutator), and `track`. */
  readonly operations: LxdOperations<L>;
  /** Instances: list, get, create/launch, update/patch, rename, delete, state, snapshots. */
  readonly instances: InstancesApi<L>;
  /** Images: list, get, aliases, import (streamed), export (a stream), delete. */
  readonly images: ImagesApi<L>;
  /** An instance's files: `pull` and `push` streamed both ways, `list`, `stat`, `delete`, `mkdir`, `symlink`. */
  readonly files: FilesApi<L>;
  /** Attaches to an instance's console (`{ width, height }`); `console.log()` / `console.clearLog()`. */
  readonly console: ConsoleApi<L>;
  /** Trust tokens, enrolment with a token, trusted certificates. */
  readonly trust: TrustApi<L>;
  /** The server's description (`GET /1.0`, asked once) and its API extensions. */
  readonly server: ServerApi<L>;
  /** An LXD cluster: its info, members (state, config, groups, evacuate/restore) and groups. */
  readonly cluster: ClusterApi<L>;
  /** LXD's event stream; one socket per remote and scope, shared by every subscriber. */
  readonly events: EventsCall<L>;
  /** Runs a command with streams (see ExecProcess). */
  readonly exec: ExecCall<L>;
  /** Runs a command to completion and collects its output. */
  readonly run: RunCall<L>;
  /** The typed openapi-fetch client for any path of the API description, in this scope. */
  readonly api: ApiCall<L>;
  /** Profiles: list, get, create, update, patch, rename, delete. */
  readonly profiles: ProfilesApi<L>;
  /** Projects: list, get, create, update, patch, rename, delete, and their state (usage). */
  readonly projects: ProjectsApi<L>;
  /** Networks: list, get, create, update, patch, rename, delete, state, leases. */
  readonly networks: NetworksApi<L>;
  /** Network ACLs: list, get, create, update, patch, rename, delete (extension `network_acl`). */
  readonly networkAcls: NetworkAclsApi<L>;
  /** A network's address forwards, keyed by listen address (extension `network_forward`). */
  readonly networkForwards: NetworkForwardsApi<L>;
  /** A network's load balancers, keyed by listen address (extension `network_load_balancer`). */
  readonly networkLoadBalancers: NetworkLoadBalancersApi<L>;
  /** A network's peerings (extension `network_peer`; OVN networks only). */
  readonly networkPeers: NetworkPeersApi<L>;
  /** DNS zones and their `records` (extensions `network_dns`, `network_dns_records`). */
  readonly networkZones: NetworkZonesApi<L>;
  /** Storage pools: list, get, create, update, patch, delete (LXD has no pool rename), resources. */
  readonly storagePools: StoragePoolsApi<L>;
  /** Storage volumes of every type: list, get, create, update, patch, rename, delete, copy, move, state, snapshots. */
  readonly storageVolumes: StorageVolumesApi<L>;
  /** Storage buckets (extension `storage_buckets`): list, get, create, update, patch, delete. */
  readonly storageBuckets: StorageBucketsApi<L>;
  /** The server's warnings: list, get, acknowledge, update/patch (status), delete. */
  readonly warnings: WarningsApi<L>;
  /** `GET /1.0/metrics`: the OpenMetrics text, or parsed into families and samples. */
  readonly metrics: MetricsApi<L>;
  /** Instance copy and move, within one server and between servers (pull, push, relay). */
  readonly migration: InstanceMigrationApi<L>;
  /** Instance backups: create, list, get, rename, delete, export (a stream), import as a new instance (a stream). */
  readonly backups: InstanceBackupsApi<L>;
  /** Custom volume backups (extension `custom_volume_backup`): create, list, get, rename, delete, export, import. */
  readonly volumeBackups: VolumeBackupsApi<L>;
}
