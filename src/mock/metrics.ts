// The virtual LXD's metrics (`GET /1.0/metrics`): LXD 5.0.2's OpenMetrics text for each running
// virtual instance (a few of its families, in its order and form: counters named with `_total`,
// `# EOF` last), so that an app's metrics view runs without a server.
import { http } from "msw";
import type { MockContext } from "./context.js";

const FAMILIES: readonly [name: string, type: string, help: string, value: (i: number) => number][] = [
  ["lxd_cpu_seconds_total", "counter", "The total number of CPU time used in seconds.", (i) => 0.012 * (i + 1)],
  ["lxd_memory_MemTotal_bytes", "gauge", "The amount of used memory.", () => 8 * 1024 ** 3],
  ["lxd_memory_RSS_bytes", "gauge", "The amount of anonymous and swap cache memory.", (i) => 131072 * (i + 1)],
  ["lxd_procs_total", "gauge", "The number of running processes.", () => 2],
];

export function mockMetrics(ctx: MockContext) {
  return {
    handlers: [
      http.get(`${ctx.base}/1.0/metrics`, ({ request }) => {
        const project = new URL(request.url).searchParams.get("project") ?? "default";
        // The virtual instances all live in the default project.
        const running = project === "default" ? [...ctx.instances.values()].filter((i) => i.status === "Running") : [];
        const lines: string[] = [];
        for (const [name, type, help, value] of FAMILIES) {
          lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
          for (const [i, inst] of running.entries()) {
            const labels =
              name === "lxd_cpu_seconds_total"
                ? `cpu="0",mode="user",name="${inst.name}",project="default",type="${inst.type}"`
                : `name="${inst.name}",project="default",type="${inst.type}"`;
            lines.push(`${name}{${labels}} ${value(i)}`);
          }
        }
        lines.push("# EOF", "");
        return new Response(lines.join("\n"), { status: 200, headers: { "Content-Type": "text/plain" } });
      }),
    ],
  };
}
