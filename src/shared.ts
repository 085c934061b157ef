// Everything every entry point exports; the entries differ only in their default transport.
export type { Lxd, LxdOperations, LxdOptions } from "./client.js";
export type { LxdBase } from "./base.js";
export type { LxdScope, ScopedOperations } from "./scope.js";
export type { WithMutator } from "./mutator.js";
export { lxdApi, lxdCluster, lxdEvents, lxdExec, lxdInstances, lxdOperations, lxdRun, lxdServer, lxdTrack } from "./capabilities.js";
export type { ClusterApi, ClusterCallOptions, ClusterMember } from "./cluster.js";
export * from "./errors.js";
export type { EventScope, EventsOptions, EventSubscription } from "./events.js";
export { ExecError, ExecInputError, ExecOutputError } from "./exec.js";
export type { ExecExit, ExecOptions, ExecProcess, RunOptions, RunResult } from "./exec.js";
export type { InstanceCallOptions, InstancesApi, InstanceState, InstanceStatePut } from "./instances.js";
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
