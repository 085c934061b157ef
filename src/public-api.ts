// The public API: everything every entry point exports (the entries differ only in their default
// transport). Internals such as `redact` stay unexported.
export type { Lxd, LxdOperations, LxdOptions } from "./client.js";
export type { LxdBase } from "./base.js";
export type { LxdScope, ScopedConsole, ScopedFiles, ScopedImages, ScopedInstances, ScopedOperations } from "./scope.js";
export type { WithMutator } from "./mutator.js";
export {
  lxdApi,
  lxdCluster,
  lxdConsole,
  lxdEvents,
  lxdExec,
  lxdFiles,
  lxdImages,
  lxdInstances,
  lxdOperations,
  lxdRun,
  lxdServer,
  lxdTrack,
  lxdTrust,
} from "./capabilities.js";
export type { ConsoleApi, ConsoleCallOptions, ConsoleOptions, ConsoleSession } from "./console.js";
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
} from "./files.js";
export type { ClusterApi, ClusterCallOptions, ClusterMember } from "./cluster.js";
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
} from "./errors.js";
export type { EventScope, EventsOptions, EventSubscription } from "./events.js";
export type { ExecExit, ExecOptions, ExecProcess } from "./exec.js";
export type { RunOptions, RunOutput, RunResult } from "./run.js";
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
} from "./images.js";
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
} from "./instances.js";
export type { Call } from "./mutator.js";
export type { InstanceSnapshot, SnapshotsApi } from "./snapshots.js";
export { decodeTrustToken } from "./trust.js";
export type { Certificate, CreateTokenOptions, TrustApi, TrustCallOptions, TrustToken, TrustTokenData } from "./trust.js";
export { LxdOperation } from "./operation.js";
export { operationId } from "./operations.js";
export type { ServerApi, ServerInfo, ServerInfoOptions } from "./server.js";
export type { CallOptions, ListOptions, Mutator, OperationsApi, WaitOptions } from "./operations.js";
export type {
  ClusterRemote,
  HttpsRemote,
  RemoteConfig,
  RemoteOptions,
  Transport,
  TransportFactory,
  UnixRemote,
} from "./transport/types.js";
export type { WebSocketConstructor } from "./websocket.js";
export * from "./types.js";
export type { IncusCertificatesPostFields, IncusInstanceStateFields, IncusLifecycleFields } from "./types-incus.js";
export type { components, paths } from "./generated/lxd.js";
