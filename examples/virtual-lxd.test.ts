// How to test your own code against the virtual LXD: lxd-fetch/mock gives MSW handlers.
// (Run by lxd-fetch's own suite, importing the package by name like an app would.)
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd } from "lxd-fetch";
import { createVirtualLxd } from "lxd-fetch/mock";

// A command of your own next to the built-ins (echo, cat, sh -c, sleep, true, false, stty...).
const lxd = createVirtualLxd({
  instances: ["web"],
  commands: {
    uptime: (proc) => {
      proc.stdout(" 12:00:00 up 1 day\n");
      return 0;
    },
  },
});
const server = setupServer(...lxd.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

// The code under test.
async function uptimeOf(instance: string): Promise<string> {
  const client = createLxd({ remotes: { prod: { url: lxd.baseUrl } }, defaultRemote: "prod", WebSocket: globalThis.WebSocket });
  try {
    const r = await client.run(undefined, instance, ["uptime"]);
    if (r.exitCode !== 0) throw new Error(r.text("stderr"));
    return r.text().trim();
  } finally {
    await client.close();
  }
}

it("reads the uptime of an instance", async () => {
  await expect(uptimeOf("web")).resolves.toBe("12:00:00 up 1 day");
});

it("reports LXD's own error for an unknown instance", async () => {
  await expect(uptimeOf("db")).rejects.toMatchObject({ name: "LxdError", status: 404 });
});
