// The package's bin (bin/lxd-fetch.cjs) and its install step (bin/install.cjs): which CLI runs,
// with what exit status, and when the compiled one replaces the launcher. The compiled CLI is
// stood in for by a shell script, in a node_modules laid out as npm installs lxd-fetch.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, BINARY } from "./support/cli.js";

const INSTALL = new URL("../bin/install.cjs", import.meta.url).pathname;
const platformPackage = `lxd-fetch-${process.platform}-${process.arch}`;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** node_modules with lxd-fetch's bin folder and, given a script, the platform package's executable. */
function installed(executable?: string): { bin: string; exe: string } {
  const root = mkdtempSync(join(tmpdir(), "lxd-fetch-install-"));
  dirs.push(root);
  const own = join(root, "node_modules", "lxd-fetch", "bin");
  mkdirSync(own, { recursive: true });
  copyFileSync(BIN, join(own, "lxd-fetch.cjs"));
  copyFileSync(INSTALL, join(own, "install.cjs"));
  const exe = join(root, "node_modules", platformPackage, "bin", "lxd-fetch");
  if (executable !== undefined) {
    mkdirSync(join(exe, ".."), { recursive: true });
    writeFileSync(exe, executable, { mode: 0o755 });
  }
  return { bin: join(own, "lxd-fetch.cjs"), exe };
}

const FAKE = '#!/bin/sh\necho "compiled $*"\nexit 3\n';
const runInstall = (bin: string) => spawnSync(process.execPath, [join(bin, "..", "install.cjs")], { encoding: "utf8" });

describe("bin/install.cjs", () => {
  it("links this platform's compiled CLI over the launcher, so the bin runs it without Node", () => {
    const { bin } = installed(FAKE.replace("exit 3", '[ "$1" = --help ] && exit 0\nexit 3'));
    expect(runInstall(bin).status).toBe(0);
    expect(readFileSync(bin, "utf8")).toContain("compiled");
    const r = spawnSync(bin, ["x", "y"], { encoding: "utf8" });
    expect({ status: r.status, out: r.stdout }).toEqual({ status: 3, out: "compiled x y\n" });
  });

  it("keeps the launcher when the compiled CLI does not run here", () => {
    const { bin } = installed("#!/bin/sh\nexit 1\n");
    expect(runInstall(bin).status).toBe(0);
    expect(readFileSync(bin, "utf8")).toBe(readFileSync(BIN, "utf8"));
  });

  it("keeps the launcher, and succeeds, when there is no compiled CLI for this platform", () => {
    const { bin } = installed();
    expect(runInstall(bin).status).toBe(0);
    expect(readFileSync(bin, "utf8")).toBe(readFileSync(BIN, "utf8"));
  });
});

describe("bin/lxd-fetch.cjs", () => {
  it("runs the platform package's compiled CLI with the arguments, and exits with its status", () => {
    const { bin } = installed(FAKE);
    const r = spawnSync(process.execPath, [bin, "exec", "c1", "--", "true"], {
      encoding: "utf8",
      env: { ...process.env, LXD_FETCH_BINARY: "" },
    });
    expect({ status: r.status, out: r.stdout }).toEqual({ status: 3, out: "compiled exec c1 -- true\n" });
  });

  it("dies of the signal the compiled CLI died of", () => {
    const { bin } = installed("#!/bin/sh\nkill -TERM $$\n");
    const r = spawnSync(process.execPath, [bin], { env: { ...process.env, LXD_FETCH_BINARY: "" } });
    expect(r.signal).toBe("SIGTERM");
  });

  it("passes SIGTERM on to the compiled CLI", async () => {
    const { bin } = installed("#!/bin/sh\ntrap 'echo got TERM; exit 143' TERM\necho ready\nwhile :; do sleep 0.05; done\n");
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [bin], { env: { ...process.env, LXD_FETCH_BINARY: "" } });
    let out = "";
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("ready")) resolve();
      }),
    );
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, out }).toEqual({ code: 143, out: "ready\ngot TERM\n" });
  });

  it("runs dist/cli.js in this Node when the compiled CLI cannot be started", () => {
    // An ELF interpreter that does not exist is what a glibc executable meets on a musl system.
    const r = spawnSync(process.execPath, [BIN, "--help"], {
      encoding: "utf8",
      env: { ...process.env, LXD_FETCH_BINARY: "/nonexistent/lxd-fetch" },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lxd-fetch /);
  });

  it("runs dist/cli.js in this Node when there is no compiled CLI (LXD_FETCH_BINARY=node)", () => {
    const r = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8", env: { ...process.env, LXD_FETCH_BINARY: "node" } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lxd-fetch /);
  });

  it("the compiled CLI of this checkout carries the client and --mock's virtual LXD", () => {
    if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build:binary\` (npm test does)`);
    const r = spawnSync(BINARY, ["--mock", "exec", "c1", "--", "sh", "-c", "echo out; exit 5"], { encoding: "utf8" });
    expect({ status: r.status, out: r.stdout }).toEqual({ status: 5, out: "out\n" });
  });
});
