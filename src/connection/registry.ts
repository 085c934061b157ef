// The registry: every capability of a client, one entry each. The client (client.ts) exposes
// each in the flat form (the remote first) and every connection (connection.ts) binds each to its
// scope, so a capability added here is on both, scoped and targeted, with no further wiring.
import type { LxdBase } from "./base.js";
import type { ProfilesApi } from "../capabilities/profiles.js";
import { createProfiles } from "../capabilities/profiles.js";
import { createProjects, type ProjectsApi } from "../capabilities/projects.js";
import { createWarnings, type WarningsApi } from "../capabilities/warnings.js";
import { createMetrics, type MetricsApi } from "../capabilities/metrics.js";
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
  warnings: /* @__PURE__ */ family(createWarnings),
  metrics: /* @__PURE__ */ family(createMetrics),
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
  /** The server's warnings: list, get, acknowledge, update/patch (status), delete. */
  readonly warnings: WarningsApi<L>;
  /** `GET /1.0/metrics`: the OpenMetrics text, or parsed into families and samples. */
  readonly metrics: MetricsApi<L>;
}
