// A command run with its output recorded by the server (`record-output: true`,
// `wait-for-websocket: false`): the process writes into two files, no pipe and no websocket in
// between, and the final operation names them (`metadata.output`, "1" and "2"); they are read,
// then deleted. LXD 5.0.2 keeps them as /1.0/instances/<name>/logs/exec_<op>.stdout|stderr,
// Incus 6.0 under .../logs/exec-output/. Why this path exists (the servers' pipe-to-websocket
// copy can drop a stream's tail): docs/exec-output.md.
import { syncMetadata } from "./envelope.js";
import { AbortError, ExecRecordError, LxdError, OperationError, redact } from "./errors.js";
import { execBody, type ExecExit, type ExecOptions, finalState } from "./exec.js";
import { readExecMetadata } from "./exec-streams.js";
import type { paths } from "./generated/lxd.js";
import { type LxdOperation, type StartDeps, startOperation } from "./operation.js";
import { envelopeOf, type RawDeps, type RawInit, type RawMethod, sendRaw } from "./raw.js";
import type { ExecOperationMetadata, Operation } from "./types.js";

export interface RecordDeps extends StartDeps, RawDeps {}

export interface Recorded extends ExecExit {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Paths of output files the server still has because deleting them failed; absent when none. */
  leftover?: string[];
}

const STREAMS = [
  ["1", "stdout"],
  ["2", "stderr"],
] as const;

// What the servers name: /1.0/instances/<instance>/logs/[exec-output/]exec_<operation id>.<stream>.
const OUTPUT_PATH = /^\/1\.0\/instances\/([A-Za-z0-9.-]+)\/logs\/(?:exec-output\/)?exec_[A-Za-z0-9-]+\.std(?:out|err)$/;

export async function runRecorded(
  deps: RecordDeps,
  remote: string | undefined,
  instance: string,
  command: string[],
  options: ExecOptions,
): Promise<Recorded> {
  const name = deps.core.resolve(remote);
  const body = execBody(instance, command, options, true);
  const { signal, project } = options;
  if (signal?.aborted) throw new AbortError(`exec in ${instance}`, signal.reason);
  const handle = await startOperation<ExecOperationMetadata, "POST", "/1.0/instances/{name}/exec">(
    deps,
    name,
    "POST",
    "/1.0/instances/{name}/exec",
    { params: { path: { name: instance } }, body, signal, project },
    readExecMetadata,
  );
  const query = project === undefined ? undefined : { project };
  let final: Operation<ExecOperationMetadata>;
  try {
    final = await finished(handle, signal);
  } catch (err) {
    // A command that could not start may have left its two files without naming them (Incus:
    // "Failed to retrieve PID of executing child process"): they are deleted where each server keeps them.
    if (err instanceof OperationError) await remove(deps, name, unnamedPaths(instance, handle.id), query);
    throw err;
  }
  const code = final.metadata?.return as number;
  const paths = outputPaths(final, instance);
  const reads = await Promise.allSettled(
    STREAMS.map(([fd]) => {
      const path = paths[fd];
      return path === undefined
        ? Promise.reject(new Error(`the operation names no file for fd ${fd}`))
        : read(deps, name, path, query, signal);
    }),
  );
  // Deleted whatever the reads did: a file read or not is no use left on the server.
  const leftover = await remove(deps, name, Object.values(paths), query);
  const failed = STREAMS.filter((_, i) => reads[i]!.status === "rejected").map(([, label]) => label);
  if (failed.length > 0) {
    const first = reads.find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason;
    if (signal?.aborted) throw new AbortError(`exec ${handle.id}`, signal.reason);
    const detail = first instanceof Error ? first.message : String(first);
    throw new ExecRecordError(handle.id, failed, code, final, detail, first);
  }
  const [stdout, stderr] = reads.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value) as [Uint8Array, Uint8Array];
  return { exitCode: code, operation: final, attempts: 1, stdout, stderr, ...(leftover.length > 0 && { leftover }) };
}

/** The final state, with an exit code: a command that never started is its OperationError. */
async function finished(handle: LxdOperation<ExecOperationMetadata>, signal?: AbortSignal): Promise<Operation<ExecOperationMetadata>> {
  try {
    const final = await finalState(handle, signal);
    const code = final.metadata?.return;
    if (typeof code === "number" && code >= 0) return final;
    throw new OperationError(handle.id, {
      statusCode: final.status_code,
      status: final.status,
      err: final.err || "the command did not start",
      operation: final,
    });
  } finally {
    handle.release();
  }
}

/** The output files the operation names, by fd; only paths of this instance's exec records are taken. */
function outputPaths(final: Operation<ExecOperationMetadata>, instance: string): Partial<Record<"1" | "2", string>> {
  const output = final.metadata?.output;
  const out: Partial<Record<"1" | "2", string>> = {};
  for (const [fd] of STREAMS) {
    const path = typeof output === "object" && output !== null ? Reflect.get(output, fd) : undefined;
    const m = typeof path === "string" ? OUTPUT_PATH.exec(path) : null;
    if (path !== undefined && m?.[1] === instance) out[fd] = path as string;
  }
  return out;
}

/** Where LXD (logs/) and Incus (logs/exec-output/) keep an exec's record when the operation names none. */
function unnamedPaths(instance: string, id: string): string[] {
  const base = `/1.0/instances/${encodeURIComponent(instance)}/logs`;
  return ["", "exec-output/"].flatMap((dir) => ["stdout", "stderr"].map((s) => `${base}/${dir}exec_${encodeURIComponent(id)}.${s}`));
}

// The servers name the files by full path (the two differ), which the generated path types cannot
// know: the path goes as the server gave it, checked by OUTPUT_PATH.
function send(deps: RecordDeps, remote: string, method: RawMethod, path: string, query?: Record<string, string>, signal?: AbortSignal) {
  const init = { params: { path: {}, ...(query && { query }) }, signal } as unknown as RawInit<keyof paths>;
  return sendRaw(deps, remote, method, path as keyof paths, init);
}

async function read(deps: RecordDeps, remote: string, path: string, query: Record<string, string> | undefined, signal?: AbortSignal) {
  const sent = await send(deps, remote, "GET", path, query, signal);
  try {
    return new Uint8Array(await sent.response.arrayBuffer());
  } catch (err) {
    if (signal?.aborted) throw new AbortError(`GET ${redact(path)}`, signal.reason);
    throw err;
  }
}

/** Deletes the files; returns those that are still there (a 404 means already gone). */
async function remove(deps: RecordDeps, remote: string, paths: string[], query: Record<string, string> | undefined): Promise<string[]> {
  const results = await Promise.allSettled(
    paths.map(async (path) => {
      try {
        syncMetadata(await envelopeOf(await send(deps, remote, "DELETE", path, query)));
      } catch (err) {
        if (!(err instanceof LxdError && err.status === 404)) throw err;
      }
    }),
  );
  return paths.filter((_, i) => results[i]!.status === "rejected");
}
