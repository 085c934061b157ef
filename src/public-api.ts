// The public API: everything every entry point exports (the entries differ only in their default
// transport). Internals such as `redact` stay unexported.
export type { Lxd, LxdOptions } from "./connection/client.js";
export type { LxdBase } from "./connection/base.js";
export type { Connection } from "./connection/connection.js";
export type { Capabilities } from "./connection/registry.js";
export type { AfterResponseHook, BeforeRequestHook, HookContext, Hooks, Scope } from "./request/pipeline.js";
export type { ApiCall, EventsCall, ExecCall, LxdOperations, RunCall, TrackCall } from "./connection/capabilities.js";
export type { Args, Flat, Lead, WithMutator } from "./capabilities/mutator.js";
export type { CallOptions, ProjectOptions } from "./capabilities/options.js";
export type { CollectionApi, CollectionListOptions, Family } from "./capabilities/collection.js";
export type { StoragePool, StoragePoolResources, StoragePoolsApi } from "./capabilities/storage-pools.js";
export type {
  StorageVolume,
  StorageVolumeState,
  StorageVolumesApi,
  VolumeCopyOptions,
  VolumeDestination,
  VolumeList,
  VolumeListOptions,
} from "./capabilities/storage-volumes.js";
export type { VolumeCopyProgress, VolumeMigrationMode } from "./capabilities/volume-migration.js";
export type { StorageVolumeSnapshot, VolumeSnapshotOptions, VolumeSnapshotsApi } from "./capabilities/volume-snapshots.js";
export type { StorageBucket, StorageBucketKey, StorageBucketKeysApi, StorageBucketsApi } from "./capabilities/storage-buckets.js";
export { STORAGE_DRIVERS, type StorageDriver, VOLUME_TYPES, type VolumeType } from "./capabilities/storage-kinds.js";
export type { Watch, WatchOptions } from "./capabilities/watch.js";
export {
  lxdApi,
  lxdCluster,
  lxdConsole,
  lxdEvents,
  lxdExec,
  lxdFiles,
  lxdGet,
  lxdImages,
  lxdInstances,
  lxdList,
  lxdListOperations,
  lxdOperations,
  lxdRun,
  lxdServer,
  lxdTrack,
  lxdTrust,
} from "./connection/capabilities.js";
export {
  lxdNetworkAcls,
  lxdNetworkForwards,
  lxdNetworkLoadBalancers,
  lxdNetworkPeers,
  lxdNetworks,
  lxdNetworkZones,
} from "./connection/networks.js";
export type { Network, NetworkLease, NetworksApi, NetworksPost, NetworkState, NetworkType } from "./capabilities/networks.js";
export { NETWORK_TYPES, networksFamily } from "./capabilities/networks.js";
export type { NetworkAcl, NetworkAclRule, NetworkAclsApi } from "./capabilities/network-acls.js";
export type { NetworkForward, NetworkForwardsApi } from "./capabilities/network-forwards.js";
export type { NetworkLoadBalancer, NetworkLoadBalancersApi } from "./capabilities/network-load-balancers.js";
export type { NetworkLoadBalancerState } from "./capabilities/network-load-balancers.js";
export type { MemberWriteOptions } from "./capabilities/cluster.js";
export type { ServerWriteOperation, ServerWriteOptions } from "./capabilities/server.js";
export type { NetworkPeer, NetworkPeersApi } from "./capabilities/network-peers.js";
export type { NetworkZone, NetworkZoneRecord, NetworkZoneRecordsApi, NetworkZonesApi } from "./capabilities/network-zones.js";
// Each family's paths, for `lxdList(base, family)` and `lxdGet(base, family)` alone (docs/web-apps.md).
export { networkAclsFamily } from "./capabilities/network-acls.js";
export { networkForwardsFamily } from "./capabilities/network-forwards.js";
export { networkLoadBalancersFamily } from "./capabilities/network-load-balancers.js";
export { networkPeersFamily } from "./capabilities/network-peers.js";
export { networkZoneRecordsFamily, networkZonesFamily } from "./capabilities/network-zones.js";
export { profilesFamily } from "./capabilities/profiles.js";
export { projectsFamily } from "./capabilities/projects.js";
export { storageBucketKeysFamily, storageBucketsFamily } from "./capabilities/storage-buckets.js";
export type { ConsoleApi, ConsoleCallOptions, ConsoleOptions, ConsoleSession } from "./capabilities/exec/console.js";
export type {
  FileCallOptions,
  FileData,
  FileOwnerOptions,
  FilesApi,
  FileStat,
  FileType,
  MkdirOptions,
  PulledFile,
  PushOptions,
} from "./capabilities/files.js";
export type {
  ClusterApi,
  ClusterCallOptions,
  ClusterInfo,
  ClusterMember,
  ClusterMemberPut,
  EvacuateOptions,
  EvacuationMode,
} from "./capabilities/cluster.js";
export type { ClusterGroup, ClusterGroupsApi } from "./capabilities/cluster-groups.js";
export { clusterGroupsFamily } from "./capabilities/cluster-groups.js";
export {
  AbortError,
  ConnectionError,
  ExecError,
  ExecInputError,
  ExecNotStartedError,
  ExecOutputError,
  ExecRecordError,
  FileInputError,
  FileTypeError,
  InvalidArgumentError,
  LxdError,
  LxdFetchError,
  OperationError,
  OperationGoneError,
  RequestError,
  ResponseError,
  TimeoutError,
  TlsError,
  UnsupportedError,
  AuthError,
} from "./utils/errors.js";
export { LiveMigrationError, MigrationError, type MigrationEnds } from "./utils/errors.js";
export type {
  CopyDestination,
  CopyOptions,
  CopyResult,
  InstanceMigrationApi,
  MigrationMode,
  MigrationProgress,
  MoveOptions,
} from "./capabilities/instance-copy.js";
export type { EventScope, EventsOptions, EventSubscription } from "./capabilities/events.js";
export type { ExecExit, ExecOptions, ExecProcess } from "./capabilities/exec/exec.js";
export type { RunOptions, RunOutput, RunResult } from "./capabilities/exec/run.js";
export type {
  Image,
  ImageAliasesEntry,
  ImageBytes,
  ImageCallOptions,
  ImageExport,
  ImageListOptions,
  ImagesApi,
  ImageTarballs,
  ImportMetadata,
  ImportOptions,
} from "./capabilities/images.js";
export type {
  CreateOptions,
  DeleteOptions,
  ImageRef,
  Instance,
  InstanceCallOptions,
  InstanceFull,
  InstanceList,
  InstanceListOptions,
  InstancePut,
  InstancesApi,
  InstanceState,
  InstanceStatePut,
} from "./capabilities/instances.js";
export type { Call } from "./capabilities/mutator.js";
export type { InstanceLogsApi } from "./capabilities/instance-logs.js";
export type { InstanceMetadata, InstanceMetadataApi, InstanceTemplatesApi } from "./capabilities/instance-metadata.js";
export type { RebuildCall, RebuildSource } from "./capabilities/instance-rebuild.js";
export type { BulkStateChange, SetAllStatesCall } from "./capabilities/instances-bulk.js";
export type { InstanceSnapshot, SnapshotsApi } from "./capabilities/snapshots.js";
export type { ImageCopyMode, ImageCopyOptions, ImageCopyProgress, ImageCopyResult } from "./capabilities/image-copy.js";
export type {
  BackupCreateOptions,
  BackupExport,
  BackupImportOptions,
  InstanceBackup,
  InstanceBackupsApi,
} from "./capabilities/instance-backups.js";
export type { StorageVolumeBackup, VolumeBackupCreateOptions, VolumeBackupsApi } from "./capabilities/volume-backups.js";
export { decodeTrustToken } from "./capabilities/trust.js";
export type { Certificate, CreateTokenOptions, TrustApi, TrustCallOptions, TrustToken, TrustTokenData } from "./capabilities/trust.js";
export { LxdOperation } from "./capabilities/operation.js";
export { operationId } from "./capabilities/operations.js";
export type {
  ServerApi,
  ServerCallOptions,
  ServerConfig,
  ServerInfo,
  ServerInfoOptions,
  ServerResources,
} from "./capabilities/server.js";
export type { Warning, WarningStatus, WarningsApi } from "./capabilities/warnings.js";
export { warningsFamily } from "./capabilities/warnings.js";
export type { Metrics, MetricsApi, MetricsOptions } from "./capabilities/metrics.js";
export { parseMetrics } from "./utils/openmetrics.js";
export type { MetricFamily, MetricSample, MetricType, ParsedMetrics } from "./utils/openmetrics.js";
export type { ListOptions, Mutator, OperationsApi, WaitOptions } from "./capabilities/operations.js";
export type {
  ClusterRemote,
  HttpsRemote,
  RemoteConfig,
  RemoteOptions,
  Transport,
  TransportFactory,
  UnixRemote,
} from "./transport/types.js";
export type { WebSocketConstructor } from "./streams/websocket.js";
export * from "./types/lxd.js";
export type { IncusCertificatesPostFields, IncusInstanceStateFields, IncusLifecycleFields } from "./types/incus.js";
export type { components, paths } from "./generated/lxd.js";
export type {
  BearerAuth,
  BearerRequest,
  DeviceCodePrompt,
  OidcChallenge,
  OidcOptions,
  OidcTokens,
  RemoteAuth,
  TokenStore,
} from "./auth/types.js";
