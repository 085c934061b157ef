// A client scoped to one remote (and a project): the same calls without the remote argument, as
// LXD's Go client connects once and scopes with UseProject. The project is a default: a call's
// own `project` option wins.
import type { Client } from "openapi-fetch";
import type { ConsoleApi, ConsoleCallOptions, ConsoleOptions, ConsoleSession } from "./console.js";
import type { EventsOptions, EventSubscription } from "./events.js";
import type { ExecOptions, ExecProcess } from "./exec.js";
import type { FilesApi } from "./files.js";
import type { RunOptions, RunResult } from "./run.js";
import type { paths } from "./generated/lxd.js";
import type { Image, ImageListOptions, ImagesApi } from "./images.js";
import type { InstanceList, InstanceListOptions, InstancesApi } from "./instances.js";
import type { Call, Mutator, WithMutator } from "./mutator.js";
import type { LxdOperation } from "./operation.js";
import type { ListOptions, ListResult, OperationsApi } from "./operations.js";
import type { ServerApi, ServerInfo, ServerInfoOptions } from "./server.js";
import type { TrustApi } from "./trust.js";
import type { OperationMap } from "./types.js";
import { checkSegment } from "./validate.js";

/** A `WithMutator` or `Call` without its leading remote. */
type Unremoted<F> =
  F extends Call<infer A, infer O, infer T>
    ? WithMutator<A, O, T>
    : F extends WithMutator<[remote: string | undefined, ...infer A], infer O, infer T>
      ? WithMutator<A, O, T>
      : never;

/** Each call of `Api` without its leading remote. */
type UnremotedAll<Api> = { [K in keyof Api]: Unremoted<Api[K]> };

export interface ScopedOperations {
  list<const O extends ListOptions | undefined = undefined>(options?: O): Promise<ListResult<O>>;
  list<R>(mutator: Mutator<OperationMap<string>, R>): Promise<Awaited<R>>;
  list<const O extends ListOptions, R>(options: O, mutator: Mutator<ListResult<O>, R>): Promise<Awaited<R>>;
  info: Unremoted<OperationsApi["info"]>;
  delete: Unremoted<OperationsApi["delete"]>;
  cancel: Unremoted<OperationsApi["cancel"]>;
  wait: Unremoted<OperationsApi["wait"]>;
  /** A handle on an existing operation. Nothing is sent. */
  track(id: string): LxdOperation;
}

/** A files call without its leading remote. */
type Unremote<F> = F extends (remote: string | undefined, ...args: infer A) => infer R ? (...args: A) => R : never;
export type ScopedFiles = { [K in keyof FilesApi]: Unremote<FilesApi[K]> };

export interface ScopedConsole {
  (instance: string, options?: ConsoleOptions): Promise<ConsoleSession>;
  log(instance: string, options?: ConsoleCallOptions): Promise<string>;
  clearLog(instance: string, options?: ConsoleCallOptions): Promise<void>;
}

export interface ScopedInstances extends UnremotedAll<Omit<InstancesApi, "list" | "snapshots">> {
  list<R>(mutator: Mutator<string[], R>): Promise<Awaited<R>>;
  list<const O extends InstanceListOptions = Record<never, never>>(options?: O): Promise<InstanceList<O>>;
  list<const O extends InstanceListOptions, R>(options: O, mutator: Mutator<InstanceList<O>, R>): Promise<Awaited<R>>;
  readonly snapshots: UnremotedAll<InstancesApi["snapshots"]>;
}

export interface ScopedImages extends UnremotedAll<Omit<ImagesApi, "list" | "aliases">> {
  list(options?: ImageListOptions & { recursion?: false }): Promise<string[]>;
  list(options: ImageListOptions & { recursion: true }): Promise<Image[]>;
  readonly aliases: UnremotedAll<ImagesApi["aliases"]>;
}

export interface LxdScope {
  /** The remote every call goes to. */
  readonly remote: string;
  /** The project calls use unless they name one; undefined: the server's default. */
  readonly projectName: string | undefined;
  readonly operations: ScopedOperations;
  /** The project is the scope's unless a call names its own. */
  readonly instances: ScopedInstances;
  /** The project is the scope's unless a call names its own. */
  readonly images: ScopedImages;
  readonly trust: UnremotedAll<TrustApi>;
  readonly server: { info(options?: ServerInfoOptions): Promise<ServerInfo>; supports(extension: string): Promise<boolean> };
  readonly files: ScopedFiles;
  readonly console: ScopedConsole;
  events(options?: EventsOptions): EventSubscription;
  exec(instance: string, command: string[], options?: ExecOptions): Promise<ExecProcess>;
  run(instance: string, command: string[], options?: RunOptions): Promise<RunResult>;
  api(): Client<paths>;
  /** The same remote, scoped to `name`. */
  project(name: string): LxdScope;
}

/** What a scope is built from: the unscoped calls. */
export interface Unscoped {
  operations: OperationsApi & { track(remote: string | undefined, id: string, options?: { project?: string }): LxdOperation };
  instances: InstancesApi;
  images: ImagesApi;
  trust: TrustApi;
  server: ServerApi;
  files: FilesApi;
  console: ConsoleApi;
  events(remote?: string, options?: EventsOptions): EventSubscription;
  exec(remote: string | undefined, instance: string, command: string[], options?: ExecOptions): Promise<ExecProcess>;
  run(remote: string | undefined, instance: string, command: string[], options?: RunOptions): Promise<RunResult>;
  api(remote?: string): Client<paths>;
}

export function createScope(lxd: Unscoped, remote: string, project: string | undefined): LxdScope {
  if (project !== undefined) checkSegment("project", "project", project);
  // The scope's project under the call's own options (which win).
  const withProject = <O extends { project?: string }>(o: O | undefined): O | undefined =>
    project === undefined ? o : ({ ...o, project: o?.project ?? project } as O);
  // The remote put first; the call's own checks and overloads apply to the rest.
  const bound = <F>(f: F) => ((...args: unknown[]) => (f as (...a: unknown[]) => unknown)(remote, ...args)) as Unremoted<F>;
  // Also the scope's project under the options that follow `arity` positional arguments (the
  // mutator may stand in for them). Options that are not an object go on as they are, for the
  // call to refuse.
  const inProject = <F>(f: F, arity: number) =>
    ((...args: unknown[]) => {
      const [a, b] = args.slice(arity);
      const [options, mutator] = typeof a === "function" ? [undefined, a] : [a, b];
      const call = f as (...a: unknown[]) => unknown;
      if (project === undefined || (options !== undefined && (typeof options !== "object" || options === null)))
        return call(remote, ...args);
      const tail = mutator === undefined ? [] : [mutator];
      return call(remote, ...args.slice(0, arity), withProject(options as { project?: string } | undefined) ?? {}, ...tail);
    }) as Unremoted<F>;
  const { instances, images, trust } = lxd;
  const ops = lxd.operations;
  return {
    remote,
    projectName: project,
    operations: {
      list: ((a?: unknown, b?: unknown) =>
        typeof a === "function"
          ? ops.list(remote, withProject<ListOptions>({}) ?? {}, a as Mutator<ListResult<ListOptions>, unknown>)
          : ops.list(
              remote,
              withProject(a as ListOptions | undefined) ?? {},
              b as Mutator<ListResult<ListOptions>, unknown>,
            )) as ScopedOperations["list"],
      info: bound(ops.info),
      delete: bound(ops.delete),
      cancel: bound(ops.cancel),
      wait: bound(ops.wait),
      track: (id) => ops.track(remote, id, withProject({})),
    },
    instances: {
      list: inProject(instances.list, 0) as ScopedInstances["list"],
      get: inProject(instances.get, 1),
      create: inProject(instances.create, 2),
      launch: inProject(instances.launch, 2),
      update: inProject(instances.update, 2),
      patch: inProject(instances.patch, 2),
      rename: inProject(instances.rename, 2),
      delete: inProject(instances.delete, 1),
      state: inProject(instances.state, 1),
      setState: inProject(instances.setState, 2),
      snapshots: {
        list: inProject(instances.snapshots.list, 1),
        create: inProject(instances.snapshots.create, 2),
        restore: inProject(instances.snapshots.restore, 2),
        delete: inProject(instances.snapshots.delete, 2),
      },
    },
    images: {
      list: inProject(images.list, 0) as ScopedImages["list"],
      get: inProject(images.get, 1),
      import: inProject(images.import, 1),
      export: inProject(images.export, 1),
      delete: inProject(images.delete, 1),
      aliases: {
        list: inProject(images.aliases.list, 0),
        get: inProject(images.aliases.get, 1),
        create: inProject(images.aliases.create, 2),
        delete: inProject(images.aliases.delete, 1),
      },
    },
    trust: {
      createToken: bound(trust.createToken),
      tokens: bound(trust.tokens),
      revokeToken: bound(trust.revokeToken),
      enrol: bound(trust.enrol),
      list: bound(trust.list),
      remove: bound(trust.remove),
    },
    server: {
      info: (options) => lxd.server.info(remote, options),
      supports: (extension) => lxd.server.supports(remote, extension),
    },
    files: {
      pull: (instance, path, options) => lxd.files.pull(remote, instance, path, withProject(options)),
      push: (instance, path, data, options) => lxd.files.push(remote, instance, path, data, withProject(options)),
      list: (instance, path, options) => lxd.files.list(remote, instance, path, withProject(options)),
      stat: (instance, path, options) => lxd.files.stat(remote, instance, path, withProject(options)),
      delete: (instance, path, options) => lxd.files.delete(remote, instance, path, withProject(options)),
      mkdir: (instance, path, options) => lxd.files.mkdir(remote, instance, path, withProject(options)),
      symlink: (instance, path, target, options) => lxd.files.symlink(remote, instance, path, target, withProject(options)),
    },
    console: Object.assign((instance: string, options?: ConsoleOptions) => lxd.console(remote, instance, withProject(options)), {
      log: (instance: string, options?: ConsoleCallOptions) => lxd.console.log(remote, instance, withProject(options)),
      clearLog: (instance: string, options?: ConsoleCallOptions) => lxd.console.clearLog(remote, instance, withProject(options)),
    }),
    events: (options) => lxd.events(remote, options?.allProjects ? options : withProject(options)),
    exec: (instance, command, options) => lxd.exec(remote, instance, command, withProject(options)),
    run: (instance, command, options) => lxd.run(remote, instance, command, withProject(options)),
    api: () => lxd.api(remote),
    project: (name) => createScope(lxd, remote, name),
  };
}
