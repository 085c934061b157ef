#!/usr/bin/env node
// A relayed instance copy between two servers (default: the main LXD to the cluster; --from and
// --to pick among local, cl and incus): lxd-fetch's CLI (`copy --mode relay`,
// the client carrying the migration websockets) against `lxc copy --mode relay`, each as its own
// process under GNU time (wall time, peak RSS), alternating, in the same run. The source is a
// stopped container of its own with a file of random bytes (1 GiB by default); each copy's
// sha256 of that file is checked on the first round. Everything it makes is deleted at the end.
//
//   npx tsup --silent && node bench/copy.mjs [--mib 1024] [--rounds 3] [--from local] [--to cl]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClusterEnv } from "../scripts/lxd-env.mjs";
import { loadServerEnv } from "../scripts/lxd-env.mjs";
import { lxdEnv, median } from "./env.mjs";

const env = lxdEnv();
const { env: cl, why } = loadClusterEnv();
if (!cl) throw new Error(`bench/copy: ${why}`);
const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
if (!existsSync(CLI)) throw new Error("bench/copy: dist/cli.js is missing (npx tsup)");
if (!existsSync("/usr/bin/time")) throw new Error("bench/copy: needs GNU time");
const arg = (name, d) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
const MIB = arg("--mib", 1024);
const ROUNDS = arg("--rounds", 3);
const SRC = `migrate-bench-${process.pid}`;
const word = (name, d) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : d);
const FROM = word("--from", "local");
const TO = word("--to", "cl");
const incus = loadServerEnv("incus").env;

// One lxc-style config for both tools: local (the unix socket) and cl (the cluster over HTTPS).
const conf = mkdtempSync(join(tmpdir(), "lfb-copy-conf-"));
mkdirSync(join(conf, "servercerts"));
writeFileSync(join(conf, "client.crt"), env.clientCert);
writeFileSync(join(conf, "client.key"), env.clientKey);
writeFileSync(join(conf, "servercerts", "cl.crt"), cl.serverCert);
if (incus) writeFileSync(join(conf, "servercerts", "incus.crt"), incus.serverCert);
writeFileSync(
  join(conf, "config.yml"),
  `default-remote: local\nremotes:\n  local:\n    addr: unix://${env.socket}\n    protocol: lxd\n    public: false\n  cl:\n    addr: ${cl.urls[0]}\n    auth_type: tls\n    protocol: lxd\n    public: false\n${
    incus ? `  incus:\n    addr: ${incus.httpsUrl}\n    auth_type: tls\n    protocol: lxd\n    public: false\n` : ""
  }aliases: {}\n`,
);
const ENV = { ...process.env, LXD_CONF: conf, LXD_DIR: env.socket.replace(/\/unix\.socket$/, "") };

function sh(argv, check = true) {
  const r = spawnSync(argv[0], argv.slice(1), { env: ENV, encoding: "utf8" });
  if (check && r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

function timed(argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { env: ENV, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  const [s, kb] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { s, mib: kb / 1024 };
}

const TOOLS = {
  "lxd-fetch": (dst) => [process.execPath, CLI, "copy", `${FROM}:${SRC}`, `${TO}:${dst}`, "--mode", "relay", "--stateless"],
  lxc: (dst) => ["lxc", "copy", `${FROM}:${SRC}`, `${TO}:${dst}`, "--mode", "relay", "--stateless"],
};

const made = [];
try {
  sh(["lxc", "launch", `${FROM}:${FROM === "cl" ? cl.image : env.image}`, `${FROM}:${SRC}`]);
  made.push(`${FROM}:${SRC}`);
  const want = sh([
    "lxc",
    "exec",
    `${FROM}:${SRC}`,
    "--",
    "sh",
    "-c",
    `head -c ${MIB * 1048576} /dev/urandom > /root/blob && sha256sum /root/blob`,
  ]).split(" ")[0];
  sh(["lxc", "stop", `${FROM}:${SRC}`]);
  const results = Object.fromEntries(Object.keys(TOOLS).map((k) => [k, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [tool, argv] of Object.entries(TOOLS)) {
      const dst = `${SRC}-${tool}-${round}`;
      made.push(`${TO}:${dst}`);
      const r = timed(argv(dst));
      results[tool].push(r);
      if (round === 1) {
        sh(["lxc", "start", `${TO}:${dst}`]);
        const got = sh(["lxc", "exec", `${TO}:${dst}`, "--", "sha256sum", "/root/blob"]).split(" ")[0];
        if (got !== want) throw new Error(`${tool}: sha256 ${got} on the copy, ${want} on the source`);
      }
      sh(["lxc", "delete", "-f", `${TO}:${dst}`]);
      made.pop();
      console.log(`round ${round} ${tool}: ${r.s.toFixed(1)} s, peak RSS ${r.mib.toFixed(0)} MiB`);
    }
  }
  const fetchS = median(results["lxd-fetch"].map((r) => r.s));
  const lxcS = median(results.lxc.map((r) => r.s));
  console.log(
    `\n${MIB} MiB relay copy, ${FROM} → ${TO}, median of ${ROUNDS}:\n` +
      `  lxd-fetch: ${fetchS.toFixed(1)} s, peak RSS ${Math.max(...results["lxd-fetch"].map((r) => r.mib)).toFixed(0)} MiB (max)\n` +
      `  lxc:       ${lxcS.toFixed(1)} s, peak RSS ${Math.max(...results.lxc.map((r) => r.mib)).toFixed(0)} MiB (max)\n` +
      `  time ratio lxd-fetch/lxc: ${(fetchS / lxcS).toFixed(2)}`,
  );
} finally {
  for (const m of made.reverse()) sh(["lxc", "delete", "-f", m], false);
  rmSync(conf, { recursive: true, force: true });
}
