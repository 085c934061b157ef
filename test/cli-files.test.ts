// The CLI's file push/pull (src/cli/files.ts) against the virtual LXD in this process, with real
// local files; argument errors through the spawned CLI (--mock).
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { filePull, filePush } from "../src/cli/files.js";
import { InvalidArgumentError } from "../src/index.js";
import { cli } from "./support/cli.js";
import { useVirtualLxd } from "./support/virtual.js";

// Each test spawns the CLI several times: its time is the machine's, so the limit only guards
// against a hang (a loaded 2-core machine took over 30 s for one of them).
vi.setConfig({ testTimeout: 120_000 });

const v = useVirtualLxd();
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
/** A fresh local folder, removed after the file's tests. */
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "lfb-cli-"));
  made.push(d);
  return d;
};
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % 256);

function localFile(name: string, data: Uint8Array, mode: number): string {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, data);
  chmodSync(path, mode);
  return path;
}

describe("file push", () => {
  it("sends the file with its own mode; a target ending in / takes the source's name", async () => {
    const { client, lxd } = v.start();
    const data = bytes(200_000);
    expect(await filePush(client, undefined, localFile("a.bin", data, 0o640), "c1/root/", {})).toBe(0);
    const f = lxd.filesystems.get("c1").get("/root/a.bin");
    expect({ mode: f?.mode, uid: f?.uid, gid: f?.gid, data: f?.data }).toEqual({ mode: 0o640, uid: 0, gid: 0, data });
  });

  it("--mode, --uid and --gid win over the source's", async () => {
    const { client, lxd } = v.start();
    await filePush(client, undefined, localFile("b", bytes(10), 0o644), "c1/tmp/b2", { mode: 0o600, uid: 1000, gid: 100 });
    expect(lxd.filesystems.get("c1").get("/tmp/b2")).toMatchObject({ mode: 0o600, uid: 1000, gid: 100 });
  });

  it("refuses a directory source, a target without a path, and - into a directory, before sending", async () => {
    const { client, lxd } = v.start();
    const dir = tempDir();
    await expect(filePush(client, undefined, dir, "c1/root/x", {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(filePush(client, undefined, localFile("c", bytes(1), 0o644), "c1", {})).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(filePush(client, undefined, "-", "c1/root/", {})).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(lxd.requests).toEqual([]);
  });
});

describe("file pull", () => {
  it("writes the file with the instance's mode; into a directory under the file's name", async () => {
    const { client } = v.start();
    const data = bytes(150_000);
    await client.files.push(undefined, "c1", "/root/p.bin", data, { mode: 0o600 });
    const dir = tempDir();
    expect(await filePull(client, undefined, "c1/root/p.bin", join(dir, "out.bin"))).toBe(0);
    expect(new Uint8Array(readFileSync(join(dir, "out.bin")))).toEqual(data);
    expect(statSync(join(dir, "out.bin")).mode & 0o777).toBe(0o600);
    mkdirSync(join(dir, "sub"));
    await filePull(client, undefined, "c1/root/p.bin", join(dir, "sub"));
    expect(new Uint8Array(readFileSync(join(dir, "sub", "p.bin")))).toEqual(data);
  });

  it("a file of several read chunks and a partial last one comes back byte for byte", async () => {
    const { client, lxd } = v.start();
    const data = bytes(3 * 256 * 1024 + 5);
    await filePush(client, undefined, localFile("big.bin", data, 0o644), "c1/root/big.bin", {});
    const sha = (b: Uint8Array | undefined) => b && createHash("sha256").update(b).digest("hex");
    expect(sha(lxd.filesystems.get("c1").get("/root/big.bin")?.data)).toBe(sha(data));
    const out = join(tempDir(), "big.bin");
    await filePull(client, undefined, "c1/root/big.bin", out);
    expect(sha(readFileSync(out))).toBe(sha(data));
  });

  it("a directory is refused; a missing file is LXD's 404", async () => {
    const { client } = v.start();
    const dst = join(tempDir(), "x");
    await expect(filePull(client, undefined, "c1/root", dst)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(filePull(client, undefined, "c1/root/none", dst)).rejects.toMatchObject({ name: "LxdError", status: 404 });
  });
});

describe("file verbs, spawned", () => {
  it("usage errors exit 2 with a one-line message", async () => {
    for (const args of [
      ["file", "push", "-"],
      ["file", "push", "-", "c1/root/x", "--mode", "0999"],
      ["file", "pull", "c1/root/x"],
      ["file", "frob"],
    ]) {
      const r = await cli(["--mock", ...args]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/^lxd-fetch: /);
    }
  });

  it("push from stdin exits 0; pulling a missing file to stdout exits 1 with LXD's message", async () => {
    expect((await cli(["--mock", "file", "push", "-", "c1/root/x"], { input: "hello" })).code).toBe(0);
    const r = await cli(["--mock", "file", "pull", "c1/root/none", "-"]);
    expect({ code: r.code, out: r.stdout.toString() }).toEqual({ code: 1, out: "" });
    expect(r.stderr).toMatch(/404 Not Found/);
  });
});
