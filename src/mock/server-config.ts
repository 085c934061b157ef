// The virtual LXD's own config (`PUT`/`PATCH /1.0`), as LXD 5.0.2 answers it: `user.*` keys and
// the few core keys a test may set, any other refused (400 "cannot set 'k' to 'v': unknown key"),
// an empty value unsetting a key; done at once, or with `asyncWrites` as an operation that ends
// shortly after, as LXD 6.8+ and newer Incus answer these writes.
import { http } from "msw";
import type { MockContext } from "./context.js";

const KEY =
  /^(?:user\..+|core\.(?:https_address|proxy_https|proxy_http|proxy_ignore_hosts)|images\.(?:auto_update_interval|remote_cache_expiry))$/;

export function mockServerConfig(ctx: MockContext, config: Record<string, string>, asyncWrites: boolean) {
  const write = (method: "put" | "patch") =>
    http[method](`${ctx.base}/1.0`, async ({ request }) => {
      const b = (await request.json().catch(() => undefined)) as { config?: unknown } | undefined;
      const given = (b?.config ?? {}) as Record<string, unknown>;
      if (typeof given !== "object" || given === null || Array.isArray(given)) return ctx.error(400, "Invalid request body");
      for (const [k, v] of Object.entries(given)) {
        if (typeof v !== "string") return ctx.error(400, "json: cannot unmarshal config: values must be strings");
        if (!KEY.test(k)) return ctx.error(400, `cannot set '${k}' to '${v}': unknown key`);
      }
      const apply = () => {
        const next = method === "put" ? {} : { ...config };
        for (const [k, v] of Object.entries(given as Record<string, string>)) next[k] = v;
        for (const k of Object.keys(config)) delete config[k];
        for (const [k, v] of Object.entries(next)) if (v !== "") config[k] = v;
        ctx.lifecycle("config-updated", "/1.0");
      };
      if (!asyncWrites) {
        apply();
        return ctx.ok({});
      }
      const m = ctx.newOp("task", "Updating server configuration", {}, {});
      ctx.later(m, () => {
        apply();
        return undefined;
      });
      return ctx.accepted(m);
    });
  return { handlers: [write("put"), write("patch")] };
}
