// MSW's websocket links each add a listener to one BroadcastChannel it shares across the process
// and never remove it (src/mock/ws-link.ts): virtual LXDs made one after another in a test file
// must not pile them up to Node's MaxListenersExceededWarning.
import { describe, expect, it } from "vitest";
import { useVirtualLxd } from "./support/virtual.js";

describe("virtual LXDs made one after another", () => {
  const v = useVirtualLxd();

  it("leave no listener behind on MSW's channel: twelve of them, each with an exec and closed, and no warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 12; i++) {
        const { client } = v.start();
        const r = await client.run("v", "c1", ["echo", String(i)], { output: "stream" });
        expect(r.text()).toBe(`${i}\n`);
        await client.close(); // its events socket too, which would linger a second
        v.server.resetHandlers();
      }
      await new Promise((r) => setTimeout(r, 10)); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });
});
