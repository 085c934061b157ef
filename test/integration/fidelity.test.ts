// Mock fidelity: the same scenarios against each real server (LXD, Incus) and the virtual LXD,
// with the observable results compared. The real runs come first, before MSW intercepts anything.
import { setupServer } from "msw/node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLxd, OperationError, type Lxd, type Operation } from "../../src/index.js";
import { createVirtualLxd } from "../../src/mock/index.js";
import { createTokenOperation, describeServers } from "./lxd.js";

type Scenario = (lxd: Lxd, instance: string) => Promise<unknown>;

const describeError = (e: unknown) =>
  e instanceof Error
    ? { error: e.name, ...("status" in e && { status: e.status }), ...("statusCode" in e && { statusCode: e.statusCode }) }
    : e;

const scenarios: Record<string, Scenario> = {
  "exec: streams and exit code": async (lxd, c) => {
    const r = await lxd.run(undefined, c, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    return { exitCode: r.exitCode, stdout: r.text(), stderr: r.text("stderr"), status: r.operation.status, class: r.operation.class };
  },
  "exec: cat with stdin and EOF": async (lxd, c) => (await lxd.run(undefined, c, ["cat"], { input: "hello\nworld" })).text(),
  "exec: false": async (lxd, c) => (await lxd.run(undefined, c, ["false"])).exitCode,
  "exec: command not found": async (lxd, c) => {
    const r = await lxd.run(undefined, c, ["no-such-command"]);
    return { exitCode: r.exitCode, status: r.operation.status, status_code: r.operation.status_code, err: r.operation.err };
  },
  "exec: interactive stty size": async (lxd, c) =>
    (await lxd.run(undefined, c, ["stty", "size"], { interactive: true, width: 100, height: 30 })).text(),
  "exec: kill": async (lxd, c) => {
    const p = await lxd.exec(undefined, c, ["sleep", "1000"]);
    await p.kill(15);
    return (await p.exited).exitCode;
  },
  "exec: unknown instance": async (lxd) => lxd.run(undefined, "no-such-instance", ["true"]).catch(describeError),
  "operations: token lifecycle": async (lxd) => {
    const id = await createTokenOperation(lxd);
    const listed = (await lxd.operations.list()).running?.includes(`/1.0/operations/${id}`);
    const op = await lxd.operations.info(undefined, id);
    await lxd.operations.delete(undefined, id);
    const waited = await lxd.operations.wait(undefined, id, { timeout: 5000 }).catch((e: unknown) => e);
    const recursion = await lxd.operations.list(undefined, { recursion: true });
    return {
      listed,
      info: { class: op.class, status: op.status, status_code: op.status_code, may_cancel: op.may_cancel, err: op.err },
      waited: waited instanceof OperationError ? { statusCode: waited.statusCode, status: waited.status } : waited,
      cancelledListed: (recursion.cancelled ?? []).some((o: Operation) => o.id === id),
    };
  },
  "operations: unknown id": async (lxd) => lxd.operations.info(undefined, crypto.randomUUID()).catch(describeError),
  "instances: state": async (lxd, c) => (await lxd.instances.state(undefined, c)).status,
};

describeServers("mock fidelity: the virtual LXD answers as the real server", (env) => {
  const real: Record<string, unknown> = {};
  const mock: Record<string, unknown> = {};
  const server = setupServer();

  beforeAll(async () => {
    const lxd = createLxd({ remotes: { r: { socket: env.socket } }, defaultRemote: "r" });
    for (const [name, s] of Object.entries(scenarios)) real[name] = await s(lxd, env.container);
    await lxd.close();

    // The virtual LXD answers /wait in the form of the server it is compared with: Incus uses
    // the error-envelope form of LXD >= 5.0.3.
    const virtual = createVirtualLxd({ instances: [env.container], waitForm: env.server === "incus" ? "5.0.3" : "5.0.2" });
    server.use(...virtual.handlers);
    server.listen({ onUnhandledRequest: "error" });
    const vlxd = createLxd({ remotes: { v: { url: virtual.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket });
    for (const [name, s] of Object.entries(scenarios)) mock[name] = await s(vlxd, env.container);
    await vlxd.close();
  }, 120_000);
  afterAll(() => server.close());

  it.each(Object.keys(scenarios))("%s", (name) => {
    expect(real[name]).toBeDefined();
    expect(mock[name]).toEqual(real[name]);
  });
});
