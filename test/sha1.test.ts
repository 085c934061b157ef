// The handshake's SHA-1 against node:crypto's, across the padding's edge cases.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha1 } from "../src/utils/sha1.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("sha1", () => {
  it("matches RFC 6455's example accept value", () => {
    const digest = sha1(new TextEncoder().encode("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    expect(Buffer.from(digest).toString("base64")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])("matches node:crypto for %i bytes", (n) => {
    const data = new Uint8Array(randomBytes(n));
    expect(hex(sha1(data))).toBe(createHash("sha1").update(data).digest("hex"));
  });
});
