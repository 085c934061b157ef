// An instance's log files (`/1.0/instances/{name}/logs`): LXD's own (lxc.log, lxc.conf, qemu.log,
// which may not be deleted) and the records of execs run with `record-output`, which LXD 5.0 keeps
// beside them (`exec_….stdout`) and Incus 6 and newer LXD under `exec-output/` (no API extension
// tells which: `records` asks where they are). A file's content is not an LXD envelope but the
// file itself (raw.ts reads it; an error is still the envelope).
import { syncMetadata } from "../request/envelope.js";
import { envelopeOf, sendRaw } from "../request/raw.js";
import type { Core } from "../request/core.js";
import { classifyFailure } from "../request/pipeline.js";
import { namesOf } from "./listing.js";
import { type Call, call, type Flat, type Lead } from "./mutator.js";
import type { ProjectOptions } from "./options.js";
import { LxdError } from "../utils/errors.js";
import { checkInstanceCall, checkSegment, checkText } from "../utils/validate.js";

export interface InstanceLogsApi<L extends Lead = Flat> {
  /** The log files' names (`lxc.log`, `exec_….stdout`, …). */
  list: Call<[instance: string], ProjectOptions, string[], L>;
  /** The exec records (`record-output`), named as `get` and `delete` take them. */
  records: Call<[instance: string], ProjectOptions, string[], L>;
  /** One log file's content, as text: a name of `list` or `records` (`exec-output/…` included). */
  get: Call<[instance: string, file: string], ProjectOptions, string, L>;
  /** Deletes a log file; LXD refuses (400) lxc.log, lxc.conf and qemu.log. */
  delete: Call<[instance: string, file: string], ProjectOptions, void, L>;
}

const FILE = "/1.0/instances/{name}/logs/{filename}";
const RECORD = "/1.0/instances/{name}/logs/exec-output/{filename}";
const OUTPUTS = "exec-output/";
const RECORD_NAME = /^exec_.+\.(?:stdout|stderr)$/;

/** A log file's path: one segment, or one under `exec-output/`. */
function fileOf(where: string, file: unknown): { path: typeof FILE | typeof RECORD; filename: string } {
  const f = checkText(where, "log file", file, { empty: false });
  if (f.startsWith(OUTPUTS)) return { path: RECORD, filename: checkSegment(where, "log file", f.slice(OUTPUTS.length)) };
  return { path: FILE, filename: checkSegment(where, "log file", f) };
}
const query = (o: ProjectOptions) => (o.project !== undefined ? { project: o.project } : {});

export function createInstanceLogs(deps: { core: Core }): InstanceLogsApi {
  const { core } = deps;
  return {
    list: call<[string], ProjectOptions, string[]>("instances.logs.list", 1, async (at, [name], o) => {
      checkInstanceCall("instances.logs.list", name, o);
      const sent = await core.send(at, "GET", "/1.0/instances/{name}/logs", {
        params: { path: { name }, query: query(o) },
        signal: o.signal,
      });
      return namesOf(syncMetadata(sent));
    }),
    records: call<[string], ProjectOptions, string[]>("instances.logs.records", 1, async (at, [name], o) => {
      checkInstanceCall("instances.logs.records", name, o);
      const params = { path: { name }, query: query(o) };
      const beside = namesOf(syncMetadata(await core.send(at, "GET", "/1.0/instances/{name}/logs", { params, signal: o.signal })));
      const old = beside.filter((f) => RECORD_NAME.test(f));
      if (old.length > 0) return old;
      try {
        const sent = await sendRaw(core, at, "GET", "/1.0/instances/{name}/logs/exec-output", { params, signal: o.signal });
        return namesOf(syncMetadata(await envelopeOf(sent, o.signal)) as string[] | null).map((f) => OUTPUTS + f);
      } catch (err) {
        // LXD 5.0 takes `exec-output` for a log file's name: "log file name exec-output not valid".
        if (err instanceof LxdError && (err.status === 400 || err.status === 404)) return [];
        throw err;
      }
    }),
    get: call<[string, string], ProjectOptions, string>("instances.logs.get", 2, async (at, [name, file], o) => {
      checkInstanceCall("instances.logs.get", name, o);
      const { path, filename } = fileOf("instances.logs.get", file);
      const sent = await sendRaw(core, at, "GET", path, { params: { path: { name, filename }, query: query(o) }, signal: o.signal });
      try {
        return await sent.response.text();
      } catch (err) {
        throw classifyFailure(sent.ctx, err, o.signal);
      }
    }),
    delete: call<[string, string], ProjectOptions, void>("instances.logs.delete", 2, async (at, [name, file], o) => {
      checkInstanceCall("instances.logs.delete", name, o);
      const { path, filename } = fileOf("instances.logs.delete", file);
      const sent = await sendRaw(core, at, "DELETE", path, { params: { path: { name, filename }, query: query(o) }, signal: o.signal });
      syncMetadata(await envelopeOf(sent, o.signal));
    }),
  };
}
