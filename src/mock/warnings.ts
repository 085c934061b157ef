// The virtual LXD's warnings (`/1.0/warnings`), as LXD 5.0.2 serves them: the host warnings a
// daemon on a machine without AppArmor or KVM raises at start, listed (project, `field eq value`
// filters), read, acknowledged or reset, and deleted, with LXD's messages (measured on the real
// server: an unknown uuid's status change is answered 200) and a lifecycle event per change.
import { http } from "msw";
import type { MockContext } from "./context.js";

export interface MockWarning {
  uuid: string;
  status: "new" | "acknowledged" | "resolved";
  location: string;
  project: string;
  type: string;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  last_message: string;
  severity: "low" | "moderate" | "high";
  entity_url: string;
}

// Fixed uuids (LXD's are random): every virtual LXD, and every `--mock` run of the CLI, has the same.
const STARTUP: readonly [uuid: string, type: string, message: string][] = [
  ["25eb4f4b-7d89-4c2d-a51f-42029be14e21", "AppArmor support has been disabled", "Disabled because of lack of kernel support"],
  ["afd23808-7921-421f-b9aa-55dbc9cac96f", "Couldn't find the CGroup blkio.weight", "disk priority will be ignored"],
  ["440a854b-01c3-4973-9856-15167f4cbeb5", "Couldn't find the CGroup network priority controller", "network priority will be ignored"],
  ["62a0df6f-cd21-42b9-be31-aaecef975246", "Instance type not operational", "KVM support is missing (no /dev/kvm)"],
];

/** `field eq value [and field ne value …]`: the part of LXD's filter language warnings are listed with. */
function matcher(filter: string): ((w: MockWarning) => boolean) | undefined {
  const clauses = filter.split(/\s+and\s+/i).map((c) => /^\s*(\w+)\s+(eq|ne)\s+(?:"([^"]*)"|(\S+))\s*$/.exec(c));
  if (clauses.some((c) => !c)) return undefined;
  return (w) =>
    clauses.every((c) => {
      const [, field, op, quoted, bare] = c!;
      const equal = String((w as unknown as Record<string, unknown>)[field!] ?? "") === (quoted ?? bare);
      return op === "eq" ? equal : !equal;
    });
}

export function mockWarnings(ctx: MockContext) {
  const { base, ok, error } = ctx;
  const now = new Date().toISOString();
  const warnings = new Map<string, MockWarning>();
  for (const [uuid, type, last_message] of STARTUP) {
    warnings.set(uuid, {
      uuid,
      status: "new",
      location: "none",
      project: "",
      type,
      count: 1,
      first_seen_at: now,
      last_seen_at: now,
      last_message,
      severity: "low",
      entity_url: "",
    });
  }
  const notFound = () => error(404, "Warning not found");
  const setStatus = async (request: Request, uuid: string) => {
    const body = (await request.json().catch(() => undefined)) as { status?: unknown } | undefined;
    const status = typeof body?.status === "string" ? body.status : "";
    if (status === "resolved") return error(403, 'Status may only be set to "acknowledge" or "new"');
    if (status !== "new" && status !== "acknowledged") return error(400, `Invalid warning type "${status}"`);
    const w = warnings.get(uuid);
    // LXD 5.0.2 updates by uuid without looking the warning up first: an unknown one is a 200.
    if (!w) return ok({});
    w.status = status;
    ctx.lifecycle(status === "acknowledged" ? "warning-acknowledged" : "warning-reset", `/1.0/warnings/${uuid}`);
    return ok({});
  };
  const list = `${base}/1.0/warnings`;
  return {
    warnings,
    handlers: [
      http.get(list, ({ request }) => {
        const q = new URL(request.url).searchParams;
        let found = [...warnings.values()];
        const project = q.get("project");
        if (project !== null) found = found.filter((w) => w.project === project);
        const filter = q.get("filter");
        if (filter) {
          const match = matcher(filter);
          if (!match) return error(500, "Failed to filter warnings: clause has no value");
          found = found.filter(match);
        }
        if (found.length === 0) return ok(null);
        return ok(Number(q.get("recursion") ?? 0) > 0 ? found : found.map((w) => `/1.0/warnings/${w.uuid}`));
      }),
      http.get(`${list}/:uuid`, ({ params }) => {
        const w = warnings.get(String(params.uuid));
        return w ? ok(w) : notFound();
      }),
      http.put(`${list}/:uuid`, ({ request, params }) => setStatus(request, String(params.uuid))),
      http.patch(`${list}/:uuid`, ({ request, params }) => setStatus(request, String(params.uuid))),
      http.delete(`${list}/:uuid`, ({ params }) => {
        const uuid = String(params.uuid);
        if (!warnings.delete(uuid)) return notFound();
        ctx.lifecycle("warning-deleted", `/1.0/warnings/${uuid}`);
        return ok({});
      }),
    ],
  };
}
