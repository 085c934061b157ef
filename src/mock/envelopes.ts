// LXD's response envelopes as the virtual LXD (and the unit tests) answer them: every key
// present, as LXD 5.0.2 sends it.
import { HttpResponse } from "msw";
import type { Operation } from "../types/lxd.js";

const DEFAULTS = {
  sync: { status: "Success", status_code: 200 },
  async: { status: "Operation created", status_code: 100 },
  error: { status: "", status_code: 0 },
} as const;

/** An envelope body of `type`; `fields` override the defaults (a test's malformed variants). */
export function envelope(type: keyof typeof DEFAULTS, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, ...DEFAULTS[type], operation: "", error_code: 0, error: "", metadata: null, ...fields };
}

/** A sync answer carrying `metadata`. */
export const syncResponse = (metadata: unknown, init?: ResponseInit) => HttpResponse.json(envelope("sync", { metadata }), init);

/** The 202 answer of a call that started `operation`. */
export const asyncResponse = (operation: Operation) => {
  const url = `/1.0/operations/${operation.id}`;
  return HttpResponse.json(envelope("async", { operation: url, metadata: operation }), { status: 202, headers: { Location: url } });
};

/** LXD's error envelope; `status` is the HTTP status (LXD uses error_code, but /wait says 200). */
export const errorResponse = (errorCode: number, message: string, status = errorCode) =>
  HttpResponse.json(envelope("error", { error_code: errorCode, error: message }), { status });
