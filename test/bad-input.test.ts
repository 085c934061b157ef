// Every public call, fed malformed values: each must fail with an InvalidArgumentError (an
// LxdFetchError, never a runtime's bare TypeError or SyntaxError), promptly, and with nothing
// sent: the virtual LXD logs every request and websocket, and the log stays empty.
import { describe, expect, it } from "vitest";
import { createLxd, InvalidArgumentError, LxdFetchError, type Lxd, type LxdOptions } from "../src/index.js";
import { useVirtualLxd } from "./support/virtual.js";

const v = useVirtualLxd();
const ID = "5a3e3b52-6a9e-4a57-9a77-1d3c3f1e2b10";
const HANG_MS = 2000;

type Case = [name: string, call: (c: Lxd) => unknown];
// Values only a caller ignoring the types would pass: the types say no, the runtime must too.
const any = (x: unknown) => x as never;

const options = (o: Partial<Record<keyof LxdOptions, unknown>>) => () => createLxd(any(o));
const clientCases: [string, () => unknown][] = [
  ["createLxd(options: a string)", () => createLxd(any("local"))],
  ["createLxd({ remotes: an array })", options({ remotes: [] })],
  ["a remote with neither url nor socket", options({ remotes: { r: {} } })],
  ["a remote with both url and socket", options({ remotes: { r: { url: "https://a:8443", socket: "/s" } } })],
  ["a remote url that is a number", options({ remotes: { r: { url: 8443 } } })],
  ["a remote url that is not https", options({ remotes: { r: { url: "ftp://a" } } })],
  ["a remote url that is not a URL", options({ remotes: { r: { url: "::::" } } })],
  ["a socket path with a NUL byte", options({ remotes: { r: { socket: "/var/lib/lxd/unix.socket\0x" } } })],
  ["a fingerprint that is not SHA-256", options({ remotes: { r: { url: "https://a:8443", fingerprint: "zz" } } })],
  ["a certificate that is not a string", options({ remotes: { r: { url: "https://a:8443", cert: 1 } } })],
  ["defaultRemote not configured", options({ defaultRemote: "nope" })],
  ["defaultRemote a number", options({ defaultRemote: 5 })],
  ["eventsLinger negative", options({ eventsLinger: -1 })],
  ["eventsLinger NaN", options({ eventsLinger: Number.NaN })],
  ["eventsLinger beyond a timer's range", options({ eventsLinger: 2 ** 40 })],
  ["transport not a function", options({ transport: "undici" })],
  ["WebSocket not a function", options({ WebSocket: {} })],
];

const cases: Case[] = [
  // operations
  ["list on a remote that is a number", (c) => c.operations.list(any(5))],
  ["list on an unknown remote", (c) => c.operations.list("nope")],
  ["list with options that are a string", (c) => c.operations.list("v", any("recursion"))],
  ["list with recursion a string", (c) => c.operations.list("v", any({ recursion: "yes" }))],
  ["list with allProjects a string", (c) => c.operations.list("v", any({ allProjects: "true" }))],
  ["list with an empty project", (c) => c.operations.list("v", { project: "" })],
  ["list with project ../default", (c) => c.operations.list("v", { project: "../default" })],
  ["list with a NUL in project", (c) => c.operations.list("v", { project: "p\0" })],
  ["list with project and allProjects", (c) => c.operations.list("v", { project: "p", allProjects: true })],
  ["list with a signal that is a string", (c) => c.operations.list("v", any({ signal: "abort" }))],
  ["list with a mutator that is not a function", (c) => c.operations.list("v", {}, any("upper"))],
  ["info of a non-UUID id", (c) => c.operations.info("v", "not-a-uuid")],
  ["info of a path traversal", (c) => c.operations.info("v", "../../1.0/instances")],
  ["info of a number", (c) => c.operations.info("v", any(42))],
  ["info with a signal that is a plain object", (c) => c.operations.info("v", ID, any({ signal: { aborted: false } }))],
  ["cancel of an empty id", (c) => c.operations.cancel("v", "")],
  ["cancel of a URL with a NUL", (c) => c.operations.cancel("v", `/1.0/operations/${ID}\0`)],
  ["wait with a negative timeout", (c) => c.operations.wait("v", ID, { timeout: -1 })],
  ["wait with a NaN timeout", (c) => c.operations.wait("v", ID, { timeout: Number.NaN })],
  ["wait with an infinite timeout", (c) => c.operations.wait("v", ID, { timeout: Number.POSITIVE_INFINITY })],
  ["wait with a timeout beyond a timer's range", (c) => c.operations.wait("v", ID, { timeout: 2 ** 31 })],
  ["wait with a string timeout", (c) => c.operations.wait("v", ID, any({ timeout: "10" }))],
  ["wait with a signal that is a number", (c) => c.operations.wait("v", ID, any({ signal: 1 }))],
  ["track of a non-UUID id", (c) => c.operations.track("v", "x")],
  ["track with project a/b", (c) => c.operations.track("v", ID, { project: "a/b" })],
  ["a tracked operation's wait with a negative timeout", (c) => c.operations.track("v", ID).wait({ timeout: -5 })],
  ["a tracked operation's wait with options a number", (c) => c.operations.track("v", ID).wait(any(3))],
  ["a tracked operation's onUpdate with a string", (c) => c.operations.track("v", ID).onUpdate(any("log"))],
  // instances
  ["state of an empty name", (c) => c.instances.state("v", "")],
  ["state of ..", (c) => c.instances.state("v", "..")],
  ["state of a/b", (c) => c.instances.state("v", "a/b")],
  ["state of a name with a NUL", (c) => c.instances.state("v", "c1\0")],
  ["state of a name with a newline", (c) => c.instances.state("v", "c1\nX-Injected: 1")],
  ["state of a number", (c) => c.instances.state("v", any(7))],
  ["state in project ../default", (c) => c.instances.state("v", "c1", { project: "../default" })],
  ["setState with an unknown action", (c) => c.instances.setState("v", "c1", { action: "explode" })],
  ["setState with a null change", (c) => c.instances.setState("v", "c1", any(null))],
  ["setState with a string timeout", (c) => c.instances.setState("v", "c1", any({ action: "stop", timeout: "5" }))],
  ["setState with force a string", (c) => c.instances.setState("v", "c1", any({ action: "stop", force: "yes" }))],
  ["setState of a/b", (c) => c.instances.setState("v", "a/b", { action: "start" })],
  // events
  ["events of an unknown type", (c) => c.events("v", { types: any(["bogus"]) })],
  ["events with types a string", (c) => c.events("v", { types: any("operation") })],
  ["events with project and allProjects", (c) => c.events("v", { project: "p", allProjects: true })],
  ["events with project a/b", (c) => c.events("v", { project: "a/b" })],
  ["events with maxQueued 0", (c) => c.events("v", { maxQueued: 0 })],
  ["events with maxQueued 1.5", (c) => c.events("v", { maxQueued: 1.5 })],
  ["events with onReconnect a number", (c) => c.events("v", { onReconnect: any(5) })],
  ["events with a signal that is a string", (c) => c.events("v", { signal: any("x") })],
  // exec and run
  ["exec of an empty argv", (c) => c.exec("v", "c1", [])],
  ["exec of a string command", (c) => c.exec("v", "c1", any("ls -l"))],
  ["exec with a number in argv", (c) => c.exec("v", "c1", any(["ls", 5]))],
  ["exec with a NUL in argv[0]", (c) => c.exec("v", "c1", ["ls\0"])],
  ["exec with a NUL in an argument", (c) => c.exec("v", "c1", ["echo", "a\0b"])],
  ["exec with an empty argv[0]", (c) => c.exec("v", "c1", [""])],
  ["exec in instance ../c1", (c) => c.exec("v", "../c1", ["true"])],
  ["exec in an instance with a NUL", (c) => c.exec("v", "c1\0", ["true"])],
  ["exec in an instance that is a number", (c) => c.exec("v", any(1), ["true"])],
  ["exec with a NUL in an environment name", (c) => c.exec("v", "c1", ["env"], { environment: { "A\0": "x" } })],
  ["exec with a NUL in an environment value", (c) => c.exec("v", "c1", ["env"], { environment: { A: "x\0y" } })],
  ["exec with an empty environment name", (c) => c.exec("v", "c1", ["env"], { environment: { "": "x" } })],
  ["exec with = in an environment name", (c) => c.exec("v", "c1", ["env"], { environment: { "A=B": "x" } })],
  ["exec with a number as environment value", (c) => c.exec("v", "c1", ["env"], { environment: any({ A: 5 }) })],
  ["exec with environment a string", (c) => c.exec("v", "c1", ["env"], { environment: any("A=B") })],
  ["exec with a NUL in cwd", (c) => c.exec("v", "c1", ["pwd"], { cwd: "/tmp\0" })],
  ["exec with cwd a number", (c) => c.exec("v", "c1", ["pwd"], { cwd: any(5) })],
  ["exec as user -1", (c) => c.exec("v", "c1", ["id"], { user: -1 })],
  ["exec as user 1.5", (c) => c.exec("v", "c1", ["id"], { user: 1.5 })],
  ["exec as group 2^40", (c) => c.exec("v", "c1", ["id"], { group: 2 ** 40 })],
  ["exec with width 0", (c) => c.exec("v", "c1", ["sh"], { interactive: true, width: 0 })],
  ["exec with height 70000", (c) => c.exec("v", "c1", ["sh"], { interactive: true, height: 70_000 })],
  ["exec with interactive a string", (c) => c.exec("v", "c1", ["sh"], { interactive: any("yes") })],
  ["exec with a signal that is a string", (c) => c.exec("v", "c1", ["true"], { signal: any("abort") })],
  ["exec with a signal look-alike", (c) => c.exec("v", "c1", ["true"], { signal: any({ aborted: false, addEventListener() {} }) })],
  ["exec in project a/b", (c) => c.exec("v", "c1", ["true"], { project: "a/b" })],
  ["exec with options an array", (c) => c.exec("v", "c1", ["true"], any([]))],
  ["run with input a number", (c) => c.run("v", "c1", ["cat"], { input: any(42) })],
  ["run with input an object", (c) => c.run("v", "c1", ["cat"], { input: any({ a: 1 }) })],
  ["run with input null", (c) => c.run("v", "c1", ["cat"], { input: any(null) })],
  ["run with options a string", (c) => c.run("v", "c1", ["cat"], any("input"))],
  [
    "run with an input stream that is already locked",
    (c) => {
      const input = new ReadableStream<Uint8Array>();
      input.getReader();
      return c.run("v", "c1", ["cat"], { input });
    },
  ],
  ["run with a NUL in argv", (c) => c.run("v", "c1", ["sh", "-c", "echo\0"])],
];

/** Settles the call (sync throw or async rejection) within HANG_MS; a hang is a failure. */
async function outcome(call: () => unknown): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS)));
  try {
    await Promise.race([Promise.resolve().then(call), hang]);
    return undefined;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("no answer within")) throw err;
    return err;
  } finally {
    clearTimeout(timer);
  }
}

describe("malformed input is refused, typed, promptly and unsent", () => {
  it(`has a large table (${clientCases.length + cases.length} cases)`, () => {
    expect(clientCases.length + cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(clientCases)("%s", async (_, call) => {
    const err = await outcome(call);
    expect(err).toBeInstanceOf(LxdFetchError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
  });

  it.each(cases)("%s", async (_, call) => {
    const { lxd, client } = v.start();
    const err = await outcome(() => call(client));
    expect(err).toBeInstanceOf(LxdFetchError);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).not.toMatch(/\0/);
    // Give anything that was started a moment to reach the virtual LXD: nothing must.
    await new Promise((r) => setTimeout(r, 20));
    expect(lxd.requests).toEqual([]);
  });

  it("the request log does see a valid call (the table's empty logs mean something)", async () => {
    const { lxd, client } = v.start();
    await client.operations.list("v");
    const r = await client.run("v", "c1", ["echo", "hi"], { output: "stream" });
    expect(r.text()).toBe("hi\n");
    expect(lxd.requests[0]).toBe("GET /1.0/operations");
    expect(lxd.requests).toContain("POST /1.0/instances/c1/exec");
    expect(lxd.requests.filter((x) => x.startsWith("WS /1.0/operations/"))).toHaveLength(4);
    expect(lxd.requests.join("\n")).not.toMatch(/secret=(?!\[redacted\])/);
  });
});
