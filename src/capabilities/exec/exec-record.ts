// A command run with its output recorded by the server (`record-output: true`,
// `wait-for-websocket: false`): the process writes into two files, no pipe and no websocket in
// between, and the final operation names them (`metadata.output`, "1" and "2"); they are read,
// then deleted. LXD 5.0 keeps them as /1.0/instances/<name>/logs/exec_<op>.stdout|stderr, Incus 6
// and newer LXD under .../logs/exec-output/. Why this path exists (the servers' pipe-to-websocket
// copy can drop a stream's tail): docs/exec-output.md.
import { syncMetadata } from "../../request/envelope.js";
import type { Where } from "../../request/pipeline.js";
import { envelopeOf, type RawSent, sendRaw } from "../../request/raw.js";
import type { ExecOperationMetadata, Operation } from "../../types/lxd.js";
import { AbortError, ExecRecordError, LxdError, OperationError } from "../../utils/errors.js";
import { type LxdOperation, type StartDeps, startOperation } from "../operation.js";
import { type ExecExit, type ExecOptions, execBody, finalState } from "./exec.js";
import { readExecMetadata } from "./exec-streams.js";

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

/** A record file as the typed log paths take it. */
interface RecordFile {
  path: string;
  name: string;
  filename: string;
  underOutputs: boolean;
}

// What the servers name: /1.0/instances/<instance>/logs/[exec-output/]exec_<operation id>.<stream>.
const OUTPUT_PATH = /^\/1\.0\/instances\/([A-Za-z0-9.-]+)\/logs\/(exec-output\/)?(exec_[A-Za-z0-9-]+\.std(?:out|err))$/;

export async function runRecorded(
  deps: StartDeps,
  where: Where,
  instance: string,
  command: string[],
  options: ExecOptions,
): Promise<Recorded> {
  const body = execBody(instance, command, options, true);
  const { signal, project } = options;
  if (signal?.aborted) throw new AbortError(`exec in ${instance}`, signal.reason);
  const handle = await startOperation<ExecOperationMetadata, "POST", "/1.0/instances/{name}/exec">(
    deps,
    where,
    "POST",
    "/1.0/instances/{name}/exec",
    { params: { path: { name: instance } }, body, signal, project },
    readExecMetadata,
  );
  const io = { deps, where, query: project === undefined ? {} : { project } };
  let final: Operation<ExecOperationMetadata>;
  try {
    final = await finished(handle, signal);
  } catch (err) {
    // A command that could not start may have left its two files without naming them (Incus:
    // "Failed to retrieve PID of executing child process"): they are deleted where each server keeps them.
    if (err instanceof OperationError) await remove(io, unnamedFiles(instance, handle.id));
    throw err;
  }
  const code = final.metadata?.return as number;
  const files = outputFiles(final, instance);
  const reads = await Promise.allSettled(
    STREAMS.map(([fd]) => {
      const file = files[fd];
      return file === undefined ? Promise.reject(new Error(`the operation names no file for fd ${fd}`)) : read(io, file, signal);
    }),
  );
  // Deleted whatever the reads did: a file read or not is no use left on the server.
  const leftover = await remove(io, Object.values(files));
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
function outputFiles(final: Operation<ExecOperationMetadata>, instance: string): Partial<Record<"1" | "2", RecordFile>> {
  const out: Partial<Record<"1" | "2", RecordFile>> = {};
  for (const [fd] of STREAMS) {
    const path = final.metadata?.output?.[fd];
    const m = path === undefined ? null : OUTPUT_PATH.exec(path);
    if (path !== undefined && m?.[1] === instance) out[fd] = { path, name: instance, underOutputs: m[2] !== undefined, filename: m[3]! };
  }
  return out;
}

/** Where LXD (logs/) and Incus (logs/exec-output/) keep an exec's record when the operation names none. */
function unnamedFiles(instance: string, id: string): RecordFile[] {
  return [false, true].flatMap((underOutputs) =>
    ["stdout", "stderr"].map((s) => {
      const filename = `exec_${id}.${s}`;
      const path = `/1.0/instances/${instance}/logs/${underOutputs ? "exec-output/" : ""}${filename}`;
      return { path, name: instance, filename, underOutputs };
    }),
  );
}

interface RecordIo {
  deps: StartDeps;
  where: Where;
  query: { project?: string };
}

function send(io: RecordIo, method: "GET" | "DELETE", file: RecordFile, signal?: AbortSignal): Promise<RawSent> {
  const params = { path: { name: file.name, filename: file.filename }, query: io.query };
  return file.underOutputs
    ? sendRaw(io.deps.core, io.where, method, "/1.0/instances/{name}/logs/exec-output/{filename}", { params, signal })
    : sendRaw(io.deps.core, io.where, method, "/1.0/instances/{name}/logs/{filename}", { params, signal });
}

async function read(io: RecordIo, file: RecordFile, signal?: AbortSignal): Promise<Uint8Array> {
  const sent = await send(io, "GET", file, signal);
  try {
    return new Uint8Array(await sent.response.arrayBuffer());
  } catch (err) {
    if (signal?.aborted) throw new AbortError(`GET ${file.path}`, signal.reason);
    throw err;
  }
}

/** Deletes the files; returns the paths of those still there (a 404 means already gone). */
async function remove(io: RecordIo, files: RecordFile[]): Promise<string[]> {
  const results = await Promise.allSettled(
    files.map(async (file) => {
      try {
        syncMetadata(await envelopeOf(await send(io, "DELETE", file)));
      } catch (err) {
        if (!(err instanceof LxdError && err.status === 404)) throw err;
      }
    }),
  );
  return files.filter((_, i) => results[i]!.status === "rejected").map((f) => f.path);
}
