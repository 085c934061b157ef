#!/usr/bin/env node
// The one-command demo (`npm run demo`): operations and an exec on the local LXD when its socket
// answers, else on the virtual LXD (lxd-fetch/mock), saying which.
import { WebSocket } from "undici";
import { createLxd, localSocketPath, OperationError } from "../dist/index.js";

async function pickBackend() {
  const local = createLxd();
  try {
    const { data } = await local.api().GET("/1.0", { signal: AbortSignal.timeout(3000) });
    if (data?.metadata?.auth !== "trusted") throw new Error("not trusted on the socket (run as root?)");
    return {
      lxd: local,
      label: `the local LXD ${data.metadata.environment?.server_version} at ${localSocketPath()}`,
      stop: () => local.close(),
    };
  } catch (err) {
    await local.close();
    const { setupServer } = await import("msw/node");
    const { createVirtualLxd } = await import("../dist/mock.js");
    globalThis.WebSocket ??= WebSocket; // MSW mocks the global WebSocket (behind a flag on Node 20)
    const virtual = createVirtualLxd({ instances: ["c1"] });
    const server = setupServer(...virtual.handlers);
    server.listen({ onUnhandledRequest: "error" });
    const lxd = createLxd({ remotes: { local: { url: virtual.baseUrl } }, WebSocket: globalThis.WebSocket });
    const reason = err.cause?.code ?? err.code ?? err.message;
    return { lxd, label: `the virtual LXD (no local LXD: ${reason})`, stop: async () => (await lxd.close(), server.close()) };
  }
}

const { lxd, label, stop } = await pickBackend();
console.log(`Using ${label}\n`);
try {
  // A live operation to look at: a certificate-add token stays Running until cancelled.
  const { data } = await lxd.api().POST("/1.0/certificates", { body: { name: "lxd-fetch-demo", type: "client", token: true } });
  const id = data.metadata.id;
  const rows = await lxd.operations.list("local", { recursion: true }, (ops) =>
    Object.entries(ops).flatMap(([status, list]) =>
      list.map((op) => `${status.padEnd(8)} ${op.id} ${op.class.padEnd(9)} ${op.description}`),
    ),
  );
  console.log(`operations.list (one request, recursion=1):\n  ${rows.join("\n  ")}`);
  const op = await lxd.operations.info("local", id);
  console.log(`operations.info: ${op.status} (${op.status_code}), may_cancel=${op.may_cancel}`);
  await lxd.operations.delete("local", id);
  await lxd.operations.wait("local", id, { timeout: 5000 }).catch((err) => {
    if (!(err instanceof OperationError)) throw err;
    console.log(`operations.wait after cancel: ${err.status} (${err.statusCode})\n`);
  });

  const { data: list } = await lxd.api().GET("/1.0/instances");
  const instance =
    list.metadata.map((u) => u.split("/").pop()).find((n) => n === "lxdfetch-c1" || n === "c1") ?? list.metadata[0]?.split("/").pop();
  const cmd = ["sh", "-c", "echo hello from lxd-fetch; echo a warning >&2; exit 3"];
  const r = await lxd.run("local", instance, cmd);
  console.log(
    `run ${instance}: ${JSON.stringify(cmd)}\n  stdout: ${JSON.stringify(r.text())}\n  stderr: ${JSON.stringify(r.text("stderr"))}\n  exit code: ${r.exitCode}`,
  );
} catch (err) {
  console.error(`demo failed: ${err.name}: ${err.message}`);
  process.exitCode = 1;
} finally {
  await stop();
}
