// Argument checks shared by every call: bad input is an InvalidArgumentError before anything is
// sent, never a runtime's bare TypeError from deep inside fetch, AbortSignal.any or JSON.
import { InvalidArgumentError } from "./errors.js";

const shown = (v: unknown) =>
  typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : v === null ? "null" : typeof v;

/** A string LXD can take: no NUL (Go passes it to the kernel, which ends it there). */
export function checkText(where: string, name: string, v: unknown, { empty = true } = {}): string {
  if (typeof v !== "string") throw new InvalidArgumentError(`${where}: ${name} must be a string (got ${shown(v)})`);
  if (!empty && v === "") throw new InvalidArgumentError(`${where}: ${name} must not be empty`);
  if (v.includes("\0")) throw new InvalidArgumentError(`${where}: ${name} must not contain a NUL byte`);
  return v;
}

/** One URL path segment (an instance, project or operation name): no `/`, `.` or `..`. */
export function checkSegment(where: string, name: string, v: unknown): string {
  const s = checkText(where, name, v, { empty: false });
  if (s.includes("/") || s === "." || s === ".." || hasControl(s)) {
    throw new InvalidArgumentError(`${where}: ${name} ${shown(s)} is not a valid name`);
  }
  return s;
}

/**
 * A C0 control character or DEL. A loop, not a regex: every request's path parameters pass here,
 * and a regex in the request path measured slower amid real requests (bench/operations.mjs).
 */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function checkSignal(where: string, v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (typeof AbortSignal !== "undefined" && v instanceof AbortSignal) return v;
  throw new InvalidArgumentError(`${where}: signal must be an AbortSignal (got ${shown(v)})`);
}

// Timers take at most 2^31-1 ms; beyond that runtimes fire them at once (Node, browsers).
const MAX_TIMER_MS = 0x7fffffff;

/** A duration in milliseconds: finite, not negative, and one a timer can hold (~24.8 days). */
export function checkMs(where: string, name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS) return v;
  throw new InvalidArgumentError(
    `${where}: ${name} must be a number of milliseconds from 0 to ${MAX_TIMER_MS} (got ${typeof v === "number" ? v : shown(v)}); leave it out for no limit`,
  );
}

export function checkBoolean(where: string, name: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === "boolean") return v;
  throw new InvalidArgumentError(`${where}: ${name} must be a boolean (got ${shown(v)})`);
}

/** An options bag: undefined, or a plain object (not an array, not a string). */
export function checkOptions<T extends object>(where: string, v: T | undefined): T {
  if (v === undefined) return {} as T;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new InvalidArgumentError(`${where}: options must be an object (got ${shown(v)})`);
  return v;
}

export function checkFunction(where: string, name: string, v: unknown): void {
  if (v !== undefined && typeof v !== "function") throw new InvalidArgumentError(`${where}: ${name} must be a function (got ${shown(v)})`);
}

/** An integer in [min, max]. */
export function checkInt(where: string, name: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
  throw new InvalidArgumentError(
    `${where}: ${name} must be an integer from ${min} to ${max} (got ${typeof v === "number" ? v : shown(v)})`,
  );
}

/** An instance call's name and its `project` and `signal` options. */
export function checkInstanceCall<T extends { project?: string | undefined; signal?: AbortSignal | undefined }>(
  where: string,
  instance: unknown,
  options: T | undefined,
): T {
  checkSegment(where, "instance name", instance);
  const o = checkOptions(where, options);
  if (o.project !== undefined) checkSegment(where, "project", o.project);
  checkSignal(where, o.signal);
  return o;
}
