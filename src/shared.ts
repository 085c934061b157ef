// Everything every entry point exports; the entries differ only in their default transport.
export type { Lxd, LxdOptions } from "./client.js";
export * from "./errors.js";
export { operationId } from "./operations.js";
export type { CallOptions, ListOptions, Mutator, OperationsApi, WaitOptions } from "./operations.js";
export type { HttpsRemote, RemoteConfig, Transport, TransportFactory, UnixRemote } from "./transport/types.js";
export * from "./types.js";
export type { components, paths } from "./generated/lxd.js";
