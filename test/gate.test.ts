// The per-remote limit on execs connecting at once (browsers): first in, first out; an abort
// while queued leaves the queue without taking a place.
import { describe, expect, it } from "vitest";
import { AbortError } from "../src/index.js";
import { Gate } from "../src/streams/gate.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Gate", () => {
  it("lets `limit` in, queues the rest in order, and passes each freed place on", async () => {
    const gate = new Gate(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const entries = [0, 1, 2, 3].map((i) => gate.enter("exec").then((release) => (order.push(i), releases.push(release))));
    await tick();
    expect(order).toEqual([0, 1]);
    releases[0]!();
    releases[0]!(); // a second release of the same place changes nothing
    await tick();
    expect(order).toEqual([0, 1, 2]);
    releases[1]!();
    await Promise.all(entries);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("an abort while queued rejects with AbortError and gives up the place in the queue", async () => {
    const gate = new Gate(1);
    const first = await gate.enter("exec");
    const ac = new AbortController();
    const queued = gate.enter("exec", ac.signal);
    let thirdIn = false;
    const third = gate.enter("exec").then((r) => ((thirdIn = true), r));
    ac.abort("stop");
    await expect(queued).rejects.toBeInstanceOf(AbortError);
    first();
    (await third)();
    expect(thirdIn).toBe(true);
  });

  it("an abort after the place was given changes nothing: the place is still released once", async () => {
    const gate = new Gate(1);
    const ac = new AbortController();
    const release = await gate.enter("exec", ac.signal);
    ac.abort();
    let nextIn = false;
    const next = gate.enter("exec").then((r) => ((nextIn = true), r));
    await tick();
    expect(nextIn).toBe(false);
    release();
    (await next)();
    expect(nextIn).toBe(true);
  });
});
