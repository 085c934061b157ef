// Copying and moving instances, within one server and between servers, the way LXD's Go client
// does (`CopyInstance`, `MigrateInstance`) and `lxc copy` / `lxc move` drive it. Within one server
// (the same certificate: a cluster's members are one server) LXD copies by itself (`source.type:
// "copy"`) and moves by a rename, or a migration to another member or project. Between servers,
// a migration in one of three modes (docs/migration.md): pull (the target connects to the
// source's operation), push (the source connects to the target's) or relay (the client carries
// both sides' websockets, migration-relay.ts). A failed copy leaves nothing on the target that
// was not there before; a move deletes its source only after the copy succeeded.
import type { Where } from "../request/pipeline.js";
import {
  AbortError,
  InvalidArgumentError,
  LiveMigrationError,
  LxdError,
  LxdFetchError,
  MigrationError,
  type MigrationEnds,
  OperationError,
} from "../utils/errors.js";
import type { WebSocketFactory } from "../streams/websocket.js";
import type { Operation } from "../types/lxd.js";
import { checkBoolean, checkFunction, checkInstanceCall, checkSegment, checkText } from "../utils/validate.js";
import { createInstances, type Instance } from "./instances.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import { requireExtension, type InfoCache, type ServerInfo } from "./server.js";
import { type Relay, relayMigration } from "./migration-relay.js";

/** How the data goes between two servers: see docs/migration.md. */
export type MigrationMode = "pull" | "push" | "relay";

/** Where a copy or a move goes. Every field is optional: by default the source's remote, scope and name. */
export interface CopyDestination {
  /** The destination remote, or a connection's scope (`lxd.remote("cl").project("p").scope`). */
  remote?: Where;
  /** The new instance's name (default: the source's). */
  name?: string;
  /** The destination project (default: the destination scope's, else the server's default). */
  project?: string;
  /** The cluster member to place it on (default: the destination scope's target, else the cluster picks). */
  target?: string;
}

/** One progress report of a copy: what LXD puts in its operations' metadata while they run. */
export interface MigrationProgress {
  /** Which operation reported it: the source server's or the target server's. */
  side: "source" | "target";
  remote: string;
  /** LXD's metadata key, e.g. `fs_progress` (the filesystem transfer), `create_instance_from_image_unpack_progress`. */
  stage: string;
  /** LXD's text, e.g. `c1: 12.34MB (5.67MB/s)`. */
  text: string;
  /** The bytes done, read from `text` where it has them. */
  bytes?: number;
  /** The percentage, where LXD gives one. */
  percent?: number;
  /** In relay mode: the bytes the client has carried so far from the source to the target. */
  relayed?: number;
}

export interface CopyOptions {
  /** Between servers: `pull` (default, as `lxc copy`), `push` or `relay`. Within one server LXD copies by itself and this is not used. */
  mode?: MigrationMode;
  /** Without the snapshots (API extension `container_only_migration`). */
  instanceOnly?: boolean;
  /**
   * Copy a running instance without its runtime state. Without it a running instance is copied
   * live (stateful), which needs CRIU on both servers; a refusal is a LiveMigrationError.
   */
  stateless?: boolean;
  /** Update an earlier copy, sending only what changed (API extension `container_incremental_copy`). */
  refresh?: boolean;
  /** The new instance's profiles instead of the source's. */
  profiles?: string[];
  /** Config keys set on the new instance (over the source's, whose `volatile.*` keys are dropped). */
  config?: Record<string, string>;
  /** Devices, or device keys, set on the new instance (merged into the source's device of that name). */
  devices?: Record<string, Record<string, string>>;
  ephemeral?: boolean;
  /** The source's project (default: the source scope's). */
  project?: string;
  /** Called with each progress report of either server's operation. */
  onProgress?: (progress: MigrationProgress) => void;
  signal?: AbortSignal;
}

export type MoveOptions = CopyOptions;

/** What a copy or move made. */
export interface CopyResult {
  remote: string;
  name: string;
  project: string | undefined;
  /** `local` when the server copied (or moved) it by itself, else the migration mode used. */
  mode: "local" | MigrationMode;
}

export interface InstanceMigrationApi<L extends Lead = Flat> {
  /** Copies an instance to `to` (another name, project, member or server) → where the copy is. */
  copy: Call<[name: string, to: CopyDestination], CopyOptions, CopyResult, L>;
  /**
   * Moves an instance: within one server a rename, or a migration to another member or project;
   * between servers a copy, then the source deleted once the copy succeeded.
   */
  move: Call<[name: string, to: CopyDestination], MoveOptions, CopyResult, L>;
}

export interface MigrationDeps extends StartDeps {
  info: InfoCache;
  webSocket: (where: Where) => WebSocketFactory;
  baseUrl: (where: Where) => string;
}

const RUNNING = 103;
const MODES = ["pull", "push", "relay"];
/** How long a failed or aborted copy waits for the servers' operations to end before cleaning up. */
const SETTLE_MS = 60_000;

/** The source's config for a copy: `volatile.*` dropped (but `volatile.base_image`) unless kept. */
function copiedConfig(config: Record<string, string>, keepVolatile: boolean): Record<string, string> {
  if (keepVolatile) return { ...config };
  return Object.fromEntries(Object.entries(config).filter(([k]) => k === "volatile.base_image" || !k.startsWith("volatile.")));
}

function checkCopy(where: string, name: string, to: CopyDestination, o: CopyOptions): void {
  checkInstanceCall(where, name, o);
  if (typeof to !== "object" || to === null) throw new InvalidDestination(where);
  if (to.name !== undefined) checkSegment(where, "destination name", to.name);
  if (to.project !== undefined) checkSegment(where, "destination project", to.project);
  if (to.target !== undefined) checkSegment(where, "destination target", to.target);
  if (o.mode !== undefined && !MODES.includes(o.mode)) throw new InvalidDestination(where, `mode must be one of ${MODES.join(", ")}`);
  for (const k of ["instanceOnly", "stateless", "refresh", "ephemeral"] as const) checkBoolean(where, k, o[k]);
  checkFunction(where, "onProgress", o.onProgress);
  if (o.profiles !== undefined) {
    if (!Array.isArray(o.profiles)) throw new InvalidDestination(where, "profiles must be an array of names");
    for (const p of o.profiles) checkSegment(where, "profile", p);
  }
  checkStrings(where, "config", o.config);
  if (o.devices !== undefined) {
    checkStrings(where, "devices", o.devices, true);
    for (const [k, d] of Object.entries(o.devices)) checkStrings(where, `devices.${k}`, d);
  }
}

function checkStrings(where: string, what: string, v: unknown, objects = false): void {
  if (v === undefined) return;
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InvalidDestination(where, `${what} must be an object`);
  if (objects) return;
  for (const [k, s] of Object.entries(v)) checkText(where, `${what}.${k}`, s);
}

/** Bad destination or options, before anything is sent. */
const InvalidDestination = class extends InvalidArgumentError {
  constructor(where: string, detail = "the destination must be an object { remote?, name?, project?, target? }") {
    super(`${where}: ${detail}`);
  }
};

/** Reads the progress in an operation's metadata: every `*_progress` text, and `progress` where LXD gives one. */
export function readProgress(side: "source" | "target", remote: string, metadata: Record<string, unknown> | null): MigrationProgress[] {
  if (!metadata) return [];
  const out: MigrationProgress[] = [];
  for (const [stage, value] of Object.entries(metadata)) {
    if (!stage.endsWith("_progress") || typeof value !== "string") continue;
    const p: MigrationProgress = { side, remote, stage, text: value };
    const bytes = parseBytes(value);
    if (bytes !== undefined) p.bytes = bytes;
    const percent = /(\d+(?:\.\d+)?)%/.exec(value);
    if (percent) p.percent = Number(percent[1]);
    out.push(p);
  }
  const structured = metadata.progress;
  if (typeof structured === "object" && structured !== null) {
    const s = structured as Record<string, unknown>;
    const p: MigrationProgress = { side, remote, stage: typeof s.stage === "string" ? s.stage : "progress", text: JSON.stringify(s) };
    const percent = Number(s.percent);
    if (Number.isFinite(percent) && s.percent !== undefined && s.percent !== "") p.percent = percent;
    const processed = Number(s.processed);
    if (Number.isFinite(processed) && s.processed !== undefined && s.processed !== "") p.bytes = processed;
    out.push(p);
  }
  return out;
}

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  // Literals, not 1024 ** n: a bundler keeps an exponentiation even where the table is unused.
  MIB: 1_048_576,
  GIB: 1_073_741_824,
  TIB: 1_099_511_627_776,
};

/** The first size in LXD's progress text ("c1: 12.34MB (5.67MB/s)" → 12340000); LXD's units are decimal. */
function parseBytes(text: string): number | undefined {
  const m = /(\d+(?:\.\d+)?)\s*([KMGT]?i?B)(?!\/s)/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] as string).toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** The websocket secrets in a migration operation's metadata (`control`, `fs`, `criu`). */
function secretsOf(op: LxdOperation): Record<string, string> {
  const meta = op.current.metadata ?? {};
  return Object.fromEntries(Object.entries(meta).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** LXD's words when a live migration cannot happen (LXD 5.0: "Unable to perform container live migration. CRIU isn't installed…"). */
const isLiveRefusal = (err: unknown): boolean => {
  const text = err instanceof LxdError ? err.lxdMessage : err instanceof OperationError ? err.err : "";
  return /CRIU|live migration/i.test(text);
};

export function createInstanceMigration(deps: MigrationDeps): InstanceMigrationApi {
  const { core } = deps;
  const instances = createInstances(deps);

  /** The server's own certificate fingerprint: two remotes with the same one are the same server (or cluster). */
  const sameServer = (a: ServerInfo, b: ServerInfo, ra: string, rb: string) =>
    ra === rb ||
    (!!a.environment?.certificate_fingerprint && a.environment.certificate_fingerprint === b.environment?.certificate_fingerprint);

  /** An HTTPS URL other servers reach this remote at: its own URL when HTTPS, else the first address it listens on. */
  const reachableAt = (where: Where, info: ServerInfo, what: string, ends: MigrationEnds): string => {
    const base = deps.baseUrl(where);
    if (base.startsWith("https://")) return base;
    const address = (info.environment?.addresses ?? []).find((a) => !a.startsWith(":"));
    if (!address)
      throw new MigrationError(
        "copy",
        ends,
        `the ${what} server does not listen on the network (core.https_address), so this mode cannot be used`,
      );
    return `https://${address}`;
  };

  /** Deletes the instance a failed copy left on the target; returns it if it could not. */
  const removeLeftover = async (remote: string, name: string, project: string | undefined) => {
    try {
      await instances.get(remote, name, { ...(project !== undefined && { project }) });
    } catch (err) {
      if (err instanceof LxdError && err.status === 404) return undefined;
      return { remote, name };
    }
    try {
      await (await instances.delete(remote, name, { force: true, ...(project !== undefined && { project }) })).wait({ timeout: SETTLE_MS });
      return undefined;
    } catch {
      return { remote, name };
    }
  };

  /** Stops what still runs after a failure: the relay, then each operation (cancelled where LXD lets it), awaited a while. */
  const settleAll = async (ops: (LxdOperation | undefined)[], relay: Relay | undefined) => {
    relay?.close();
    await Promise.all(
      ops.map(async (op) => {
        if (!op || op.done) return;
        await op.cancel().catch(() => undefined);
        await op.wait({ timeout: SETTLE_MS }).catch(() => undefined);
      }),
    );
  };

  const watch = (op: LxdOperation, side: "source" | "target", o: CopyOptions, relay: () => Relay | undefined) => {
    const report = o.onProgress;
    if (!report) return () => undefined;
    return op.onUpdate((state: Operation) => {
      for (const p of readProgress(side, op.remote, state.metadata)) {
        const r = relay();
        report(r ? { ...p, relayed: r.bytes } : p);
      }
    });
  };

  /** Both ends of a copy or move: scopes, projects (the source's by default), member, name, and each server's GET /1.0. */
  async function endsOf(
    at: Where,
    name: string,
    to: CopyDestination,
    o: { project?: string | undefined; signal?: AbortSignal | undefined },
  ) {
    const src = core.scope(at);
    const srcProject = o.project ?? src.project;
    const dst = core.scope(to.remote ?? at);
    const dstProject = to.project ?? (to.remote === undefined ? srcProject : dst.project);
    const member = to.target ?? (to.remote === undefined ? undefined : dst.target);
    const newName = to.name ?? name;
    const ends: MigrationEnds = { from: { remote: src.remote, name }, to: { remote: dst.remote, name: newName } };
    const [srcInfo, dstInfo] = await Promise.all([deps.info(src.remote, false, o.signal), deps.info(dst.remote, false, o.signal)]);
    return { src, srcProject, dst, dstProject, member, newName, ends, srcInfo, dstInfo };
  }

  async function copyInstance(at: Where, name: string, to: CopyDestination, o: CopyOptions, what: "copy" | "move", keepVolatile: boolean) {
    const where = `migration.${what}`;
    const { signal } = o;
    const sig = signal ? { signal } : {};
    const { src, srcProject, dst, dstProject, member, newName, ends, srcInfo, dstInfo } = await endsOf(at, name, to, o);
    const local = sameServer(srcInfo, dstInfo, src.remote, dst.remote);
    const mode: "local" | MigrationMode = local ? "local" : (o.mode ?? "pull");
    const extensions: [string, "both" | "source"][] = [];
    if (o.instanceOnly) extensions.push(["container_only_migration", "both"]);
    if (mode === "push" || mode === "relay") extensions.push(["container_push", "both"]);
    if (mode === "push") extensions.push(["container_push_target", "source"]);
    if (o.refresh) extensions.push(["container_incremental_copy", "both"]);
    if (local && dstProject !== srcProject) extensions.push(["container_copy_project", "source"]);
    for (const [ext, sides] of extensions) {
      await requireExtension(deps.info, src.remote, ext, where, signal);
      if (sides === "both" && !local) await requireExtension(deps.info, dst.remote, ext, where, signal);
    }

    const srcQuery = { ...(srcProject !== undefined && { project: srcProject }) };
    const instance: Instance = await instances.get(at, name, srcQuery);
    const dstOpts = { ...(dstProject !== undefined && { project: dstProject }) };
    // A refresh updates an earlier copy: a failure must not delete it.
    const earlier = o.refresh ? await instances.get(dst.remote, newName, dstOpts).catch(() => undefined) : undefined;
    const existed = earlier !== undefined;
    // On a cluster, LXD 5.0.2 refreshes only on the member that has the earlier copy (elsewhere:
    // "Instance storage pool not found"), so the request goes there unless a member is named.
    // Across projects, an LXD 5.0.2 cluster finds the source only on the member that has it (from
    // elsewhere: "Failed to get address of instance's member: Instance not found"), so the copy
    // is made there unless a member is named.
    const crossProject = local && (dstProject ?? "default") !== (srcProject ?? "default");
    const memberOf = (l: string | undefined) => (l && l !== "none" ? l : undefined);
    const placedOn = member ?? memberOf(earlier?.location) ?? (crossProject ? memberOf(instance.location) : undefined);
    const live = !o.stateless && !o.refresh && instance.status_code === RUNNING && mode !== "local";
    const devices = { ...instance.devices };
    for (const [k, d] of Object.entries(o.devices ?? {})) devices[k] = { ...devices[k], ...d };
    const body = {
      name: newName,
      type: instance.type,
      architecture: instance.architecture,
      description: instance.description,
      config: { ...copiedConfig(instance.config ?? {}, keepVolatile), ...o.config },
      devices,
      profiles: o.profiles ?? instance.profiles,
      ephemeral: o.ephemeral ?? instance.ephemeral,
    };
    const common = {
      ...(instance.config?.["volatile.base_image"] !== undefined && { base_image: instance.config["volatile.base_image"] }),
      ...(o.instanceOnly && { instance_only: true, container_only: true }),
      ...(o.refresh && { refresh: true }),
      ...(o.profiles !== undefined && { override_snapshot_profiles: true }),
    };
    const create = (source: Record<string, unknown>) =>
      startOperation(deps, dst.remote, "POST", "/1.0/instances", {
        params: { query: { ...(placedOn !== undefined && { target: placedOn }) } },
        body: { ...body, source: { ...common, ...source } } as never,
        signal,
        project: dstProject,
      });
    const migrate = (target?: Record<string, unknown>) =>
      startOperation(deps, at, "POST", "/1.0/instances/{name}", {
        params: { path: { name } },
        body: {
          name,
          migration: true,
          live,
          ...(o.instanceOnly && { instance_only: true, container_only: true }),
          ...(target && { target }),
        } as never,
        signal,
        project: srcProject,
      });

    let srcOp: LxdOperation | undefined;
    let dstOp: LxdOperation | undefined;
    let relay: Relay | undefined;
    const unwatch: (() => void)[] = [];
    try {
      if (mode === "local") {
        dstOp = await create({ type: "copy", source: name, ...(dstProject !== srcProject && { project: srcProject ?? "default" }) });
        unwatch.push(watch(dstOp, "target", o, () => undefined));
        await dstOp.wait(sig);
      } else if (mode === "pull") {
        srcOp = await migrate();
        unwatch.push(watch(srcOp, "source", o, () => undefined));
        const url = reachableAt(at, srcInfo, "source", ends);
        dstOp = await create({
          type: "migration",
          mode: "pull",
          live,
          operation: `${url}/1.0/operations/${encodeURIComponent(srcOp.id)}`,
          secrets: secretsOf(srcOp),
          certificate: srcInfo.environment?.certificate,
        });
        unwatch.push(watch(dstOp, "target", o, () => undefined));
        await Promise.all([dstOp.wait(sig), srcOp.wait(sig)]);
      } else if (mode === "push") {
        const url = reachableAt(dst.remote, dstInfo, "target", ends);
        dstOp = await create({ type: "migration", mode: "push", live });
        unwatch.push(watch(dstOp, "target", o, () => undefined));
        srcOp = await migrate({
          operation: `${url}/1.0/operations/${encodeURIComponent(dstOp.id)}`,
          secrets: secretsOf(dstOp),
          certificate: dstInfo.environment?.certificate,
        });
        unwatch.push(watch(srcOp, "source", o, () => undefined));
        await Promise.all([dstOp.wait(sig), srcOp.wait(sig)]);
      } else {
        srcOp = await migrate();
        dstOp = await create({ type: "migration", mode: "push", live });
        unwatch.push(watch(srcOp, "source", o, () => relay));
        unwatch.push(watch(dstOp, "target", o, () => relay));
        relay = await relayMigration(
          { factory: deps.webSocket(at), base: deps.baseUrl(at), remote: src.remote, id: srcOp.id, secrets: secretsOf(srcOp) },
          {
            factory: deps.webSocket(dst.remote),
            base: deps.baseUrl(dst.remote),
            remote: dst.remote,
            id: dstOp.id,
            secrets: secretsOf(dstOp),
          },
          signal,
        );
        await bothEnds(dstOp.wait(sig), srcOp.wait(sig));
        // Both ends are done: what is still open (LXD may keep a socket) is closed, as the Go client does.
        relay.close();
      }
      return { remote: dst.remote, name: newName, project: dstProject, mode };
    } catch (err) {
      await settleAll([srcOp, dstOp], relay);
      const leftover = existed || dstOp === undefined ? undefined : await removeLeftover(dst.remote, newName, dstProject);
      if (err instanceof AbortError && !leftover) throw err;
      if (live && isLiveRefusal(err))
        throw new LiveMigrationError(
          what,
          ends,
          `the source refused a stateful (live) copy of the running instance; stop it first or pass stateless: true (${detail(err)})`,
          { cause: err, leftover },
        );
      throw new MigrationError(what, ends, detail(err), { cause: err, leftover });
    } finally {
      for (const u of unwatch) u();
    }
  }

  const copy = call<[string, CopyDestination], CopyOptions, CopyResult>("migration.copy", 2, (at, [name, to], o) => {
    checkCopy("migration.copy", name, to, o);
    return copyInstance(at, name, to, o, "copy", !!o.refresh);
  });

  const move = call<[string, CopyDestination], MoveOptions, CopyResult>("migration.move", 2, async (at, [name, to], o) => {
    const where = "migration.move";
    checkCopy(where, name, to, o);
    if (o.refresh) throw new InvalidDestination(where, "refresh is for copies");
    const { signal } = o;
    const sig = signal ? { signal } : {};
    const { src, srcProject, dst, dstProject, member, newName, ends, srcInfo, dstInfo } = await endsOf(at, name, to, o);
    const srcQuery = { ...(srcProject !== undefined && { project: srcProject }) };
    if (sameServer(srcInfo, dstInfo, src.remote, dst.remote)) {
      const overrides = o.config !== undefined || o.devices !== undefined || o.profiles !== undefined;
      try {
        if (member === undefined && (dstProject ?? "default") === (srcProject ?? "default") && !overrides) {
          // A rename (LXD refuses it for a running instance).
          if (newName !== name) await (await instances.rename(at, name, newName, { ...srcQuery, ...sig })).wait(sig);
          return { remote: dst.remote, name: newName, project: dstProject, mode: "local" };
        }
        if (dstProject !== srcProject) await requireExtension(deps.info, src.remote, "instance_project_move", where, signal);
        const instance = await instances.get(at, name, srcQuery);
        const live = !o.stateless && instance.status_code === RUNNING;
        const op = await startOperation(deps, at, "POST", "/1.0/instances/{name}", {
          params: { path: { name }, query: { ...(member !== undefined && { target: member }) } as never },
          body: {
            name: newName,
            migration: true,
            live,
            ...(o.instanceOnly && { instance_only: true, container_only: true }),
            ...(dstProject !== srcProject && { project: dstProject ?? "default" }),
            ...(o.profiles !== undefined && { profiles: o.profiles, override_snapshot_profiles: true }),
            ...(o.config !== undefined && { config: o.config }),
            ...(o.devices !== undefined && { devices: o.devices }),
          } as never,
          signal,
          project: srcProject,
        });
        const unwatch = watch(op, "source", o, () => undefined);
        try {
          await op.wait(sig);
        } finally {
          unwatch();
        }
        return { remote: dst.remote, name: newName, project: dstProject, mode: "local" };
      } catch (err) {
        if (err instanceof AbortError || !(err instanceof LxdFetchError)) throw err;
        if (isLiveRefusal(err))
          throw new LiveMigrationError("move", ends, `the server refused a stateful (live) move (${detail(err)})`, { cause: err });
        throw new MigrationError("move", ends, detail(err), { cause: err });
      }
    }
    // Between servers: copy (volatile keys kept, as `lxc move` does), start the copy if the
    // source ran and was copied statelessly, and only then delete the source.
    const instance = await instances.get(at, name, srcQuery);
    const result = await copyInstance(at, name, to, o, "move", true);
    const dstOpts = { ...(dstProject !== undefined && { project: dstProject }) };
    try {
      if (instance.status_code === RUNNING && o.stateless)
        await (await instances.setState(dst.remote, newName, { action: "start" }, { ...dstOpts, ...sig })).wait(sig);
      await (await instances.delete(at, name, { ...srcQuery, force: true, ...sig })).wait(sig);
    } catch (err) {
      throw new MigrationError("move", ends, `the copy was made but the source could not be deleted: ${detail(err)}`, { cause: err });
    }
    return result;
  });

  return { copy, move };
}

const detail = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// After one end of a relay failed, how long the other is given to end too.
const OTHER_END_MS = 10_000;

/**
 * Waits for both ends of a relayed migration. When one fails, the other usually fails as an echo
 * of it ("Error reading migration control"), and which is seen first depends on the machine; so
 * the other is given a while, and the target's failure (what it could not make) comes first.
 */
async function bothEnds(target: Promise<unknown>, source: Promise<unknown>): Promise<void> {
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
  const ends = [failure(target), failure(source)];
  const first = await new Promise<Error | undefined>((resolve) => {
    let ok = 0;
    for (const end of ends) void end.then((e) => (e ? resolve(e) : ++ok === ends.length && resolve(undefined)));
  });
  if (!first) return;
  if (first instanceof AbortError) throw first;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<undefined>((r) => {
    timer = setTimeout(r, OTHER_END_MS, undefined);
  });
  const [t, s] = await Promise.all(ends.map((e) => Promise.race([e, grace])));
  clearTimeout(timer);
  if (t && s && !(t instanceof AbortError) && !(s instanceof AbortError))
    throw new LxdFetchError(`target: ${t.message}; source: ${s.message}`, { cause: t });
  throw t ?? s ?? first;
}
