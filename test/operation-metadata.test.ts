// Operation metadata gets its type from a reader that checks the fields it types, not from a
// cast: exec's fd secrets and exit code are taken only when they have the types LXD sends.
import { describe, expect, it } from "vitest";
import { readExecMetadata } from "../src/capabilities/exec/exec-streams.js";

describe("exec operation metadata", () => {
  it("keeps well-formed fds and exit code, and the other fields as they are", () => {
    const m = readExecMetadata({ fds: { control: "c", "0": "i", "1": "o", "2": "e" }, return: 3, command: ["true"] });
    expect(m).toEqual({ fds: { control: "c", "0": "i", "1": "o", "2": "e" }, return: 3, command: ["true"] });
  });

  it("drops fds without string control and stdin secrets, and an exit code that is not a number", () => {
    expect(readExecMetadata({ fds: { control: 1, "0": "i" }, return: "0" })).toEqual({});
    expect(readExecMetadata({ fds: "nope" })).toEqual({});
    expect(readExecMetadata({ fds: { control: "c", "0": "i", "1": 5 } })).toEqual({ fds: { control: "c", "0": "i" } });
  });
});
