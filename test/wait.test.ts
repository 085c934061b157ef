// Every /wait form in the protocol notes: 5.0.0–5.0.2 (the Operation, final or not, always
// HTTP 200), ≥ 5.0.3 and Incus 6.0 (an error envelope inside HTTP 200), and 404 after the ~5 s
// retention.
import { http } from "msw";
import { describe, expect, it } from "vitest";
import { AbortError, InvalidArgumentError, OperationError, OperationGoneError, TimeoutError } from "../src/index.js";
import { BASE, client, lxdError, op, sync, useMockServer } from "./support/mock.js";

const server = useMockServer();
const WAIT = `${BASE}/1.0/operations/:id/wait`;

describe("wait, LXD 5.0.0–5.0.2 form", () => {
  it("resolves with the final Operation on Success", async () => {
    const o = op({ status: "Success", status_code: 200 });
    server.use(http.get(WAIT, () => sync(o)));
    await expect(client().operations.wait("test", o.id)).resolves.toEqual(o);
  });

  it("a non-final Operation means that round timed out: it waits again", async () => {
    const o = op();
    const timeouts: string[] = [];
    server.use(
      http.get(WAIT, ({ request }) => {
        timeouts.push(new URL(request.url).searchParams.get("timeout") ?? "");
        return sync(timeouts.length < 3 ? o : { ...o, status: "Success", status_code: 200 });
      }),
    );
    const done = await client().operations.wait("test", o.id);
    expect(done.status_code).toBe(200);
    expect(timeouts).toEqual(["30", "30", "30"]); // rounds stay under undici's 300 s headers timeout
  });

  it("the server-side timeout is the remaining time in whole seconds, rounded down, at least 1", async () => {
    const o = op({ status: "Success", status_code: 200 });
    const timeouts: string[] = [];
    server.use(http.get(WAIT, ({ request }) => (timeouts.push(new URL(request.url).searchParams.get("timeout") ?? ""), sync(o))));
    await client().operations.wait("test", o.id, { timeout: 2500 });
    await client().operations.wait("test", o.id, { timeout: 300 });
    expect(timeouts).toEqual(["2", "1"]);
  });

  it("Failure rejects with OperationError carrying status code and err", async () => {
    const o = op({ status: "Failure", status_code: 400, err: "Command not found", class: "websocket" });
    server.use(http.get(WAIT, () => sync(o)));
    const err = await client()
      .operations.wait("test", o.id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ statusCode: 400, status: "Failure", err: "Command not found", operation: o });
  });

  it("Cancelled rejects with OperationError 401", async () => {
    const o = op({ status: "Cancelled", status_code: 401, err: "" });
    server.use(http.get(WAIT, () => sync(o)));
    await expect(client().operations.wait("test", o.id)).rejects.toMatchObject({ name: "OperationError", statusCode: 401 });
  });

  it("TimeoutError when the client deadline passes, with the last state seen", async () => {
    const o = op();
    server.use(http.get(WAIT, () => sync(o)));
    const err = await client()
      .operations.wait("test", o.id, { timeout: 600 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).operation).toEqual(o);
  });

  it("TimeoutError also when the server holds the request past the deadline", async () => {
    server.use(http.get(WAIT, () => new Promise<Response>(() => {})));
    const started = Date.now();
    await expect(client().operations.wait("test", op().id, { timeout: 200 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("wait, LXD ≥ 5.0.3 and Incus 6.0 form (error envelope inside HTTP 200)", () => {
  it('"context deadline exceeded" is a round timeout: it reads the state and waits again', async () => {
    const o = op();
    let calls = 0;
    let gets = 0;
    server.use(
      http.get(WAIT, () =>
        ++calls < 2 ? lxdError(500, "context deadline exceeded", 200) : sync({ ...o, status: "Success", status_code: 200 }),
      ),
      http.get(`${BASE}/1.0/operations/:id`, () => (gets++, sync(o))),
    );
    await expect(client().operations.wait("test", o.id)).resolves.toMatchObject({ status_code: 200 });
    expect([calls, gets]).toEqual([2, 1]);
  });

  it("TimeoutError carries the state read after the timeout envelope (which holds none)", async () => {
    const o = op();
    server.use(
      http.get(WAIT, () => lxdError(500, "context deadline exceeded", 200)),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(o)),
    );
    const err = await client()
      .operations.wait("test", o.id, { timeout: 600 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).operation).toEqual(o);
  });

  it("an operation that became final between the envelope and the GET settles at once", async () => {
    const o = op({ status: "Success", status_code: 200 });
    let calls = 0;
    server.use(
      http.get(WAIT, () => (calls++, lxdError(500, "context deadline exceeded", 200))),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(o)),
    );
    await expect(client().operations.wait("test", o.id)).resolves.toEqual(o);
    expect(calls).toBe(1);
  });

  it("a failure message settles on the operation itself while LXD keeps it", async () => {
    const o = op({ status: "Failure", status_code: 400, err: "disk full" });
    server.use(
      http.get(WAIT, () => lxdError(400, "disk full", 200)),
      http.get(`${BASE}/1.0/operations/:id`, () => sync(o)),
    );
    await expect(client().operations.wait("test", o.id)).rejects.toMatchObject({ name: "OperationError", err: "disk full", operation: o });
  });

  it("a failure message of a forgotten operation is still an OperationError", async () => {
    server.use(
      http.get(WAIT, () => lxdError(400, "disk full", 200)),
      http.get(`${BASE}/1.0/operations/:id`, () => lxdError(404, "not found")),
    );
    const err = await client()
      .operations.wait("test", op().id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(err).toMatchObject({ statusCode: 400, err: "disk full", operation: undefined });
  });
});

describe("wait, other answers", () => {
  it("404 after the retention is OperationGoneError (finished, outcome unknown)", async () => {
    server.use(http.get(WAIT, () => lxdError(404, "not found")));
    await expect(client().operations.wait("test", op().id)).rejects.toThrow(OperationGoneError);
    await expect(client().operations.wait("test", op().id)).rejects.toThrow(/outcome is unknown/);
  });

  it("403 and 500 are LxdErrors, not retried", async () => {
    let calls = 0;
    server.use(http.get(WAIT, () => (calls++, lxdError(403, "not authorized"))));
    await expect(client().operations.wait("test", op().id)).rejects.toMatchObject({ name: "LxdError", status: 403 });
    server.use(http.get(WAIT, () => (calls++, lxdError(500, "boom"))));
    await expect(client().operations.wait("test", op().id)).rejects.toMatchObject({ name: "LxdError", status: 500 });
    expect(calls).toBe(2);
  });

  it("abort: rejects with AbortError carrying the signal's reason", async () => {
    server.use(http.get(WAIT, () => new Promise<Response>(() => {})));
    const ac = new AbortController();
    const p = client().operations.wait("test", op().id, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("user gave up")), 50);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).cause).toEqual(new Error("user gave up"));
  });

  it("an already aborted signal sends nothing", async () => {
    let calls = 0;
    server.use(http.get(WAIT, () => (calls++, sync(op()))));
    await expect(client().operations.wait("test", op().id, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });

  it("abort between rounds stops the loop", async () => {
    const ac = new AbortController();
    let calls = 0;
    server.use(http.get(WAIT, () => (++calls === 2 && ac.abort(), sync(op()))));
    await expect(client().operations.wait("test", op().id, { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(2);
  });

  it.each([[-1], [Number.NaN], ["5" as unknown as number]])("refuses timeout %j", async (timeout) => {
    await expect(client().operations.wait("test", op().id, { timeout })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
