// Bodies that are not LXD envelopes, and requests that get no answer: always a typed error,
// never a bare TypeError or SyntaxError. Secrets never reach a message.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { redact } from "../src/utils/errors.js";
import { ConnectionError, LxdError, ResponseError } from "../src/index.js";
import { BASE, client, lxdError, op, useMockServer } from "./support/mock.js";

const server = useMockServer();
const OPS = `${BASE}/1.0/operations`;

async function failure(): Promise<unknown> {
  return client()
    .operations.list("test")
    .then(
      () => undefined,
      (e: unknown) => e,
    );
}

describe("status codes", () => {
  it.each([
    [403, "not authorized"],
    [404, "not found"],
    [500, "Internal server error"],
  ])("%i becomes an LxdError", async (code, message) => {
    server.use(http.get(OPS, () => lxdError(code, message)));
    const err = await failure();
    expect(err).toBeInstanceOf(LxdError);
    expect(err).toMatchObject({ status: code, errorCode: code, lxdMessage: message, method: "GET", path: "/1.0/operations" });
  });
});

describe("bodies that are not envelopes", () => {
  it.each([
    ["200 malformed JSON", 200, '{"type":"sync","metadata":', "application/json", /malformed JSON body/],
    [
      "502 HTML from a proxy",
      502,
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
      "text/html",
      /not an LXD response \(text\/html\): <html><body><h1>502 Bad Gateway/,
    ],
    ["200 HTML", 200, "<!doctype html><title>login</title>", "text/html", /not an LXD response/],
    ["200 empty", 200, "", "application/json", /empty body/],
    ["500 empty", 500, "", "text/plain", /HTTP 500, empty body/],
    ["200 JSON array", 200, "[1,2]", "application/json", /not a JSON object/],
    ["200 JSON null", 200, "null", "application/json", /not a JSON object/],
  ])("%s → ResponseError", async (_name, status, body, contentType, message) => {
    server.use(http.get(OPS, () => new HttpResponse(body, { status, headers: { "Content-Type": contentType } })));
    const err = await failure();
    expect(err).toBeInstanceOf(ResponseError);
    // A body that is not JSON keeps the parser's error as the cause; the others have none.
    if (message.source.includes("malformed") || body.startsWith("<")) expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    else expect((err as Error).cause).toBeUndefined();
    expect(err).toMatchObject({ status, contentType, method: "GET", path: "/1.0/operations", remote: "test" });
    expect((err as Error).message).toMatch(message);
  });

  it("a long HTML body is shortened in the message", async () => {
    server.use(
      http.get(OPS, () => new HttpResponse(`<html>${"x".repeat(5000)}</html>`, { status: 503, headers: { "Content-Type": "text/html" } })),
    );
    expect(((await failure()) as Error).message.length).toBeLessThan(300);
  });

  it("204 with no body is a ResponseError, not undefined metadata", async () => {
    server.use(http.get(OPS, () => new HttpResponse(null, { status: 204 })));
    expect(await failure()).toBeInstanceOf(ResponseError);
  });
});

describe("no answer", () => {
  it("a network failure is a ConnectionError, the runtime's TypeError kept as its cause", async () => {
    server.use(http.get(OPS, () => HttpResponse.error()));
    const err = await failure();
    expect(err).toBeInstanceOf(ConnectionError);
    // The runtime's own failure is kept as the cause, not thrown in place of a typed error.
    expect((err as Error).cause).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ method: "GET", path: "/1.0/operations", remote: "test" });
  });
});

describe("secrets", () => {
  it("the redaction helpers are internal: no entry point exports them", async () => {
    for (const entry of [await import("../src/index.js"), await import("../src/browser.js"), await import("../src/bun.js")]) {
      expect(Object.keys(entry)).toContain("LxdError"); // the entry's own errors are exported
      expect(Object.keys(entry)).not.toContain("redact");
      expect(Object.keys(entry)).not.toContain("redactOperation");
    }
  });

  it("redact() strips exec secrets and tokens from paths and URLs", () => {
    const s = "a".repeat(64);
    expect(redact(`/1.0/operations/x/websocket?secret=${s}`)).toBe("/1.0/operations/x/websocket?secret=[redacted]");
    expect(redact(`/1.0/operations/x/wait?timeout=3&secret=${s}`)).toBe("/1.0/operations/x/wait?timeout=3&secret=[redacted]");
    expect(redact("https://user:pw@h:8443/1.0?token=abc")).toBe("https://h:8443/1.0?token=[redacted]");
  });

  it("an error on a path carrying a secret does not contain it", () => {
    const secret = "b".repeat(64);
    const err = new LxdError({
      method: "GET",
      path: `/1.0/operations/${op().id}/websocket?secret=${secret}`,
      remote: "r",
      status: 403,
      errorCode: 403,
      lxdMessage: "denied",
    });
    expect(err.message).not.toContain(secret);
    expect(err.path).not.toContain(secret);
    expect(JSON.stringify(err)).not.toContain(secret);
  });
});
