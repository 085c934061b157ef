// npm's postinstall: when this platform's compiled CLI was installed (the optional package
// lxd-fetch-<os>-<cpu>) and runs, link it over bin/lxd-fetch.cjs so `lxd-fetch` starts with no
// Node in front (what esbuild does for its binary). Anything unexpected leaves the JS launcher,
// which still works. Windows keeps the launcher: npm's .cmd shim runs the bin with node.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { join } = require("node:path");

function install() {
  if (process.platform === "win32") return "launcher kept (Windows)";
  let exe;
  try {
    exe = require.resolve(`lxd-fetch-${process.platform}-${process.arch}/bin/lxd-fetch`);
  } catch {
    return "no compiled CLI for this platform: the bin runs dist/cli.js in Node";
  }
  // A binary that does not run here (another libc, a CPU without its instructions) stays unused.
  try {
    execFileSync(exe, ["--help"], { stdio: "ignore", timeout: 10_000 });
  } catch (err) {
    return `the compiled CLI does not run here (${err.message}): the bin runs dist/cli.js in Node`;
  }
  const bin = join(__dirname, "lxd-fetch.cjs");
  const tmp = `${bin}.${process.pid}`;
  try {
    fs.linkSync(exe, tmp);
  } catch {
    fs.copyFileSync(exe, tmp);
  }
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, bin);
  return `bin is the compiled CLI (${exe})`;
}

// Only an installed copy is changed: in a checkout of lxd-fetch itself the platform package is
// not in node_modules, so require.resolve above fails first.
try {
  const what = install();
  if (process.env.LXD_FETCH_INSTALL_DEBUG) console.error(`lxd-fetch: ${what}`);
} catch (err) {
  // Never fail the user's install over an optimisation.
  if (process.env.LXD_FETCH_INSTALL_DEBUG) console.error(`lxd-fetch: ${err.message}`);
}
