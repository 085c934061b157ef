// The per-capability functions over one shared core (docs/web-apps.md): each works on its own, they share
// the core's state (one events socket for events and exec), and the core's close() ends it all.
import { describe, expect, it } from "vitest";
import {
  createLxdBase,
  InvalidArgumentError,
  lxdApi,
  lxdEvents,
  lxdExec,
  lxdInstances,
  lxdOperations,
  lxdRun,
  lxdTrack,
} from "../src/index.js";
import { createVirtualLxd } from "../src/mock/index.js";
import { createTokenOperation } from "./support/token.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();

function base() {
  const lxd = createVirtualLxd({ instances: ["c1"] });
  v.server.use(...lxd.handlers);
  return createLxdBase({ remotes: { v: { url: lxd.baseUrl } }, defaultRemote: "v", WebSocket: globalThis.WebSocket });
}

describe("per-capability functions", () => {
  it("operations alone list, show and cancel an operation", async () => {
    const b = base();
    try {
      const id = await createTokenOperation(lxdApi(b)());
      const ops = lxdOperations(b);
      expect((await ops.list()).running).toContain(`/1.0/operations/${id}`);
      expect((await ops.info(undefined, id)).id).toBe(id);
      await ops.cancel(undefined, id);
      expect((await ops.list(undefined, { recursion: true })).running ?? []).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it("exec and run share the core's operations and events with lxdEvents", async () => {
    const b = base();
    try {
      const seen: string[] = [];
      const sub = lxdEvents(b)(undefined, { types: ["operation"] });
      const reading = (async () => {
        for await (const e of sub) seen.push((e.metadata as { description?: string }).description ?? "");
      })();
      const proc = await lxdExec(b)(undefined, "c1", ["sh", "-c", "echo hi"]);
      expect((await proc.exited).exitCode).toBe(0);
      const r = await lxdRun(b)(undefined, "c1", ["sh", "-c", "exit 3"]);
      expect(r.exitCode).toBe(3);
      expect(seen).toContain("Executing command");
      sub.close();
      await reading;
      expect(lxdInstances(b).state).toBeTypeOf("function");
    } finally {
      await b.close();
    }
  });

  it("a tracked operation and the base's remotes", async () => {
    const b = base();
    expect(b.remotes).toEqual(["local", "v"]);
    expect(lxdTrack(b)(undefined, "0b0c4e6e-2c7f-4a3e-9a8c-7f4c2b7d9e10").id).toBe("0b0c4e6e-2c7f-4a3e-9a8c-7f4c2b7d9e10");
    await b.close();
    await expect(lxdOperations(b).list()).rejects.toThrow(InvalidArgumentError);
    expect(() => lxdApi(b)()).toThrow(/closed/);
  });

  it("unknown remotes are refused before anything is sent", async () => {
    const b = base();
    await expect(lxdOperations(b).list("nope")).rejects.toThrow(/unknown remote "nope"/);
    await b.close();
  });
});
