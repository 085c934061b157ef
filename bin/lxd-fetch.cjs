#!/usr/bin/env node
// lxd-fetch's bin. The CLI ships two ways: dist/cli.js for any Node ≥ 20.19, and a compiled
// executable per platform (the optional package lxd-fetch-<os>-<cpu>, scripts/build-cli-binary.mjs)
// that starts in a fraction of Node's time and memory (docs/cli-startup.md). bin/install.cjs puts
// that executable in place of this file at install time, so the shell runs it with no Node in
// front; this file runs only when that did not happen (install scripts off, another platform):
// it runs the executable if there is one, else the CLI in this Node.
"use strict";
const { spawn } = require("node:child_process");
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const { isatty } = require("node:tty");

/** The compiled CLI: $LXD_FETCH_BINARY, this platform's package, or this checkout's own build. */
function executable() {
  const env = process.env.LXD_FETCH_BINARY;
  // LXD_FETCH_BINARY=node: always the CLI in Node (e.g. to compare the two).
  if (env) return env === "node" ? undefined : env;
  const name = `lxd-fetch-${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${name}/bin/lxd-fetch`);
  } catch {
    const built = join(__dirname, "..", "binaries", name, "bin", "lxd-fetch");
    return existsSync(built) ? built : undefined;
  }
}

const exe = executable();
if (exe === undefined) {
  import("../dist/cli.js");
} else {
  // Node has no exec(): pass signals on. Ctrl-C and Ctrl-\ from a terminal reach the child
  // already (same process group), so those are passed on only when there is no terminal (isatty,
  // not process.stdin, whose set-up would touch the descriptor the child shares). The
  // handlers go in before the child exists: a signal in between is held and passed on after.
  const fromTerminal = new Set(isatty(0) ? ["SIGINT", "SIGQUIT"] : []);
  let child;
  const held = [];
  for (const signal of ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"]) {
    process.on(signal, () => fromTerminal.has(signal) || (child ? child.kill(signal) : held.push(signal)));
  }
  child = spawn(exe, process.argv.slice(2), { stdio: "inherit" });
  for (const signal of held) child.kill(signal);
  // An executable this system cannot start (another libc: its loader is missing, ENOENT): the
  // CLI in this Node instead. Nothing ran, so nothing is repeated.
  child.on("error", () => {
    for (const signal of ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"]) process.removeAllListeners(signal);
    import("../dist/cli.js");
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}
