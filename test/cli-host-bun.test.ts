// The native command's host (src/cli/host-bun.ts) where it can run under Node: its path join
// against node:path's.
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { joinPath } from "../src/cli/host-bun.js";

describe("host-bun joinPath", () => {
  it.each([
    [["/root", ".config", "lxc"]],
    [["/root/", ".config", "lxc", "config.yml"]],
    [["conf", "config.yml"]],
    [["./conf/", "servercerts/x.crt"]],
    [["/a/b", "..", "c"]],
    [["a", "..", ".."]],
    [["a", ".."]],
    [["/", ".."]],
    [["", "x"]],
    [[""]],
    [["./"]],
    [["a//b", "/c/"]],
    [["/tmp/conf/", "lxd-fetch-oidc", "r.json"]],
  ])("%j as node:path", (parts) => {
    expect(joinPath(...parts)).toBe(posix.join(...parts));
  });
});
