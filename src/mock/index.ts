// A virtual LXD for tests and demos, as MSW handlers: operations with their lifecycle and
// LXD's ~5 s retention, /wait in the 5.0.x form (or the ≥ 5.0.3 one), the events socket,
// exec over websockets with programmable commands, instance files and the console — behaving
// as LXD 5.0.2 does on the wire (binary frames, an empty text frame as EOF, then a drop without
// a close frame).
import { builtinCommands } from "./commands.js";
import { mockConsole } from "./console.js";
import type { MockContext } from "./context.js";
import { asyncResponse, errorResponse, syncResponse } from "./envelopes.js";
import { createEventBus } from "./events.js";
import { execSockets } from "./exec.js";
import { logHandlers } from "./logs.js";
import { mockFiles } from "./files.js";
import { httpHandlers } from "./http.js";
import { imageStore } from "./images.js";
import { mockBackups } from "./backups.js";
import { instanceHandlers } from "./instances.js";
import { mockNetworkAcls } from "./network-acls.js";
import { mockNetworkForwards } from "./network-forwards.js";
import { mockNetworkZones } from "./network-zones.js";
import { mockNetworks } from "./networks.js";
import { mockProfiles } from "./profiles.js";
import { mockProjects } from "./projects.js";
import { mockWarnings } from "./warnings.js";
import { mockMetrics } from "./metrics.js";
import { mockMigration } from "./migration.js";
import { mockVolumeMigration } from "./volume-migration.js";
import { createState } from "./state.js";
import { mockStorage } from "./storage.js";
import { mockServerConfig } from "./server-config.js";
import { mockStorageBuckets } from "./storage-buckets.js";
import { trustHandlers } from "./trust.js";
import type { VirtualLxdOptions } from "./types.js";

export { builtinCommands, CommandNotFound } from "./commands.js";
export { MOCK_PROMPT } from "./console.js";
export type { MockFile, MockFilesystem } from "./files.js";
export type { CommandHandler, MockProcess, VirtualLxdOptions } from "./types.js";
export type { MockInstance } from "./context.js";
export type { MockImage } from "./images.js";
export type { MockBackup } from "./backups.js";
export type { MockWarning } from "./warnings.js";
export { VIRTUAL_SERVER_FINGERPRINT } from "./trust.js";

export function createVirtualLxd(options: VirtualLxdOptions = {}) {
  const events = createEventBus();
  const s = createState(options, { ...builtinCommands, ...options.commands }, events);
  // What the resource files (instances, images, trust) need of the core.
  const ctx: MockContext = {
    base: s.base,
    extensions: s.extensions,
    instances: s.instances,
    ok: (metadata) => syncResponse(metadata),
    error: (code, message) => errorResponse(code, message),
    newOp: s.newOp,
    finish: (m, status, err, metadata) => s.finish(m as ReturnType<typeof s.newOp>, status, err, metadata),
    accepted: (m) => asyncResponse(m.op),
    lifecycle(action, source, context, project) {
      const requestor = { username: "root", protocol: "unix", address: "@" };
      events.emit("lifecycle", { action, source, ...(context && Object.keys(context).length > 0 && { context }), requestor }, project);
    },
    later(m, work) {
      setTimeout(() => {
        const outcome = work();
        if (typeof outcome === "string") ctx.finish(m, "Failure", outcome);
        else ctx.finish(m, "Success", "", outcome);
      }, 20);
    },
  };
  const images = imageStore(ctx, options.imageAliases ?? ["busybox"]);
  const trust = trustHandlers(ctx, s.ops);
  const files = mockFiles(s);
  const backups = mockBackups(ctx, files.filesystems);
  const consoles = mockConsole(s);
  const profiles = mockProfiles(ctx);
  const projects = mockProjects(ctx);
  // Each side asks the other lazily: an ACL's used_by names networks, a network's security.acls names ACLs.
  const networks = mockNetworks(
    ctx,
    () => profiles.items(),
    () => acls.items().keys(),
  );
  const acls = mockNetworkAcls(ctx, () => networks.items());
  const zones = mockNetworkZones(ctx);
  const forwards = mockNetworkForwards(ctx, () => networks.items());
  const storage = mockStorage(ctx, profiles.items);
  const warnings = mockWarnings(ctx);
  const metrics = mockMetrics(ctx);
  const migration = mockMigration(ctx);
  const volumeMigration = mockVolumeMigration(ctx, storage);
  const buckets = mockStorageBuckets(ctx, () => storage.pools());
  const serverConfig = mockServerConfig(ctx, s.serverConfig, options.asyncWrites ?? false);
  return {
    baseUrl: s.base,
    handlers: [
      ...httpHandlers(s),
      // Before instanceHandlers, passing the rest on: backup imports (a tarball body) first, then
      // copies and migrations (which read a JSON body).
      ...backups.handlers,
      ...migration.handlers,
      ...instanceHandlers(ctx, images),
      ...images.handlers,
      ...trust.handlers,
      ...files.handlers,
      ...consoles.handlers,
      ...profiles.handlers,
      ...projects.handlers,
      ...networks.handlers,
      // Before storage's, which would take a migration's create for a plain one.
      ...volumeMigration.handlers,
      ...storage.handlers,
      ...warnings.handlers,
      ...metrics.handlers,
      ...acls.handlers,
      ...zones.handlers,
      ...forwards.handlers,
      ...serverConfig.handlers,
      ...buckets.handlers,
      ...logHandlers(s),
      execSockets(s),
      events.handler(
        s.wsBase,
        () => !!s.traps.refuseEvents || s.dead,
        s.logged,
        () => s.traps.listenAfterMs ?? 0,
      ),
    ],
    /** Each instance's in-memory filesystem (`/`, `/root`, `/tmp`, `/etc` to start with). */
    filesystems: files.filesystems,
    /** Each instance's console: its log and terminal size. */
    consoles: consoles.consoles,
    /** Every request received, in order: "GET /1.0/operations", "WS /1.0/events?type=operation". */
    requests: s.requests,
    /** Operations LXD still knows, by id. */
    operations: s.ops,
    instances: s.instances,
    /** Recorded exec output files (`record-output`) the client has not deleted, by instance then file name. */
    logs: s.logs,
    /** Each instance's backups, by instance then backup name. */
    backups: backups.backups,
    /** Images by fingerprint, and aliases by name. */
    images: images.images,
    imageAliases: images.aliases,
    /** Profiles of a project (default: `default`), by name. */
    profiles: profiles.items,
    /** Projects by name. */
    projects: () => projects.items(),
    /** Networks by name: the host's unmanaged `lo` and `eth0`, and the managed ones. */
    networks: () => networks.items(),
    /** Storage pools by name. */
    storagePools: storage.pools,
    /** A pool's volumes of one type (default `custom`) in a project (default `default`), by name. */
    storageVolumes: storage.volumes,
    /** The server's warnings by uuid (a test may add, change or remove them). */
    warnings: warnings.warnings,
    /** Network ACLs by name. */
    networkAcls: () => acls.items(),
    /** DNS zones by name. */
    networkZones: () => zones.zones.items(),
    /** A network's forwards by listen address (a test seeds them: test networks have no addresses). */
    networkForwards: (network: string, project?: string) => forwards.items(project, { network }),
    /** A pool's buckets in a project (default `default`), by name (a test seeds them: `dir` pools refuse buckets). */
    storageBuckets: (pool: string, project?: string) => buckets.items(project, { pool }),
    /** The server's own config (a test may read or seed it). */
    serverConfig: s.serverConfig,
    /** Trusted certificates by fingerprint. */
    certificates: trust.certificates,
    /** The wire traps in force; change them during a test. */
    traps: s.traps,
    /** Drops every events socket without a close frame, as a daemon restart does. */
    dropEventSockets() {
      events.dropAll();
    },
    /** Open events sockets. */
    get eventSockets() {
      return events.sockets;
    },
    /** Events sockets ever accepted. */
    get eventConnections() {
      return events.connections;
    },
    /** Emits an event to the events sockets, e.g. a stale operation state. */
    emit: events.emit,
  };
}

export type VirtualLxd = ReturnType<typeof createVirtualLxd>;
