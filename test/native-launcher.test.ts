// bin/lxd-fetch, the package's command, in the folder layouts npm makes: it execs the platform
// package's executable when there is one (hoisted beside lxd-fetch, or nested in it), and falls
// back to `node dist/cli.js` when there is none, when it is not executable, or when
// LXD_FETCH_NATIVE=0 says so; arguments arrive unchanged either way. Stand-ins print what ran.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";

const launcher = new URL("../bin/lxd-fetch", import.meta.url).pathname;
const os = { linux: "linux", darwin: "darwin" }[process.platform as string];
const cpu = { x64: "x64", arm64: "arm64" }[process.arch as string];
const platformPackage = `lxd-fetch-${os}-${cpu}`;
// The args printed one per line, so spaces and empty strings show.
const ARGS = ["exec", "c 1", "", "--", "sh", "-c", "echo $HOME"];

let dir: string;
let modules: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lxd-fetch-launcher-"));
  modules = join(dir, "node_modules");
  const pkg = join(modules, "lxd-fetch");
  mkdirSync(join(pkg, "bin"), { recursive: true });
  mkdirSync(join(pkg, "dist"), { recursive: true });
  copyFileSync(launcher, join(pkg, "bin/lxd-fetch"));
  chmodSync(join(pkg, "bin/lxd-fetch"), 0o755);
  writeFileSync(join(pkg, "dist/cli.js"), 'for (const a of ["node", ...process.argv.slice(2)]) console.log("[" + a + "]");\n');
  mkdirSync(join(modules, ".bin"));
  symlinkSync("../lxd-fetch/bin/lxd-fetch", join(modules, ".bin/lxd-fetch"));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in executable for the platform package under `base`. */
function nativeAt(base: string, mode = 0o755): void {
  mkdirSync(join(base, platformPackage, "bin"), { recursive: true });
  const file = join(base, platformPackage, "bin/lxd-fetch");
  writeFileSync(file, '#!/bin/sh\nfor a in native "$@"; do printf "[%s]\\n" "$a"; done\n');
  chmodSync(file, mode);
}

function run(env: Record<string, string> = {}): string {
  // PATH keeps this Node first: the fallback runs `node`.
  const PATH = `${join(process.execPath, "..")}:${process.env.PATH}`;
  return execFileSync(join(modules, ".bin/lxd-fetch"), ARGS, { encoding: "utf8", env: { ...process.env, PATH, ...env } });
}

const printed = (first: string) => [first, ...ARGS].map((a) => `[${a}]\n`).join("");

it.runIf(os && cpu)("without the platform package: node dist/cli.js, through npm's .bin link", () => {
  expect(run()).toBe(printed("node"));
});

it.runIf(os && cpu)("the platform package hoisted beside lxd-fetch: its executable", () => {
  nativeAt(modules);
  expect(run()).toBe(printed("native"));
});

it.runIf(os && cpu)("the platform package nested in lxd-fetch's node_modules: its executable", () => {
  nativeAt(join(modules, "lxd-fetch/node_modules"));
  expect(run()).toBe(printed("native"));
});

it.runIf(os && cpu)("an executable without the execute bit, or LXD_FETCH_NATIVE=0: node dist/cli.js", () => {
  nativeAt(modules, 0o644);
  expect(run()).toBe(printed("node"));
  nativeAt(modules);
  expect(run({ LXD_FETCH_NATIVE: "0" })).toBe(printed("node"));
});
