#!/usr/bin/env node
// File transfer through lxd-fetch's CLI (the library's files.push/pull, streamed) against
// `lxc file push/pull`, each as its own process under GNU time (wall time, peak RSS), in the same
// run, over LXD's unix socket and over HTTPS (a remote in a temporary LXD_CONF that both CLIs
// read), into the test container under /root/lfb-bench-*. Two sizes show whether memory stays
// flat: peak RSS at 64 MiB and at 1 GiB should be the same. Every copy is checked: sha256 of the
// pulled file, and sha256sum inside the container, equal to the source's. With --runs N the
// whole set is repeated and the medians and their ratios are printed as well.
//
//   npm run build && node bench/files.mjs [--sizes 64,1024] (MiB) [--transports unix,https]
//     [--runs 3] [--instance NAME] [--cli path/to/cli.js,path/to/executable] [--keep-cache]
//
// --instance: a running instance of your own (default: the shared test container), so that
// other suites stopping or restarting the shared one cannot break the run.
// --cli: the builds of the CLI to run, comma-separated, each beside lxc in the same run: a .js
// file runs under this Node, anything else is run as it is. Default: dist/cli.js, and the native
// executable (scripts/build-native.mjs) when it is built.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { dropFromPageCache, lxdEnv, median } from "./env.mjs";

const env = lxdEnv();
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const nativeCli = new URL(`../npm/lxd-fetch-${process.platform}-${process.arch}/bin/lxd-fetch`, import.meta.url).pathname;
const defaultClis = [new URL("../dist/cli.js", import.meta.url).pathname, ...(existsSync(nativeCli) ? [nativeCli] : [])];
const CLIS = arg("--cli", defaultClis.join(",")).split(",");
for (const cli of CLIS) if (!existsSync(cli)) throw new Error(`bench/files: ${cli} is missing (npx tsup, or scripts/build-native.mjs)`);
/** Each build as a tool beside lxc: its label and the command line before its arguments. */
const builds = CLIS.map((cli) => ({
  label: cli.endsWith(".js")
    ? CLIS.filter((c) => c.endsWith(".js")).length > 1
      ? cli
      : "lxd-fetch (node)"
    : cli === nativeCli
      ? "lxd-fetch (native)"
      : cli,
  argv: cli.endsWith(".js") ? [process.execPath, cli] : [cli],
}));
if (!existsSync("/usr/bin/time")) throw new Error("bench/files: needs GNU time (apt-get install time)");
const SIZES = arg("--sizes", "64,1024").split(",").map(Number);
const TRANSPORTS = arg("--transports", "unix,https").split(",");
const RUNS = Number(arg("--runs", "1"));
const C = arg("--instance", env.container);
const conf = mkdtempSync(join(tmpdir(), "lfb-bench-conf-"));
const ENV = { ...process.env, LXD_DIR: dirname(env.socket), LXD_CONF: conf };
const work = mkdtempSync(join(tmpdir(), "lfb-bench-"));
const remoteDir = `/root/lfb-bench-${process.pid}`;

// The HTTPS remote `bench`, as `lxc remote add` would write it: both CLIs read this layout.
if (TRANSPORTS.includes("https")) {
  writeFileSync(
    join(conf, "config.yml"),
    `default-remote: local\nremotes:\n  bench:\n    addr: ${env.httpsUrl}\n    protocol: lxd\n    auth_type: tls\n    public: false\n  local:\n    addr: unix://\n    protocol: lxd\n    public: false\n`,
  );
  copyFileSync(env.files.clientCert, join(conf, "client.crt"));
  copyFileSync(env.files.clientKey, join(conf, "client.key"));
  mkdirSync(join(conf, "servercerts"));
  copyFileSync(env.files.serverCert, join(conf, "servercerts", "bench.crt"));
}
const prefix = { unix: "", https: "bench:" };

// Compiled CLIs are measured as read from disk (dropFromPageCache); --keep-cache measures them as they are.
for (const [cli] of builds.filter((b) => b.argv.length === 1).map((b) => b.argv))
  if (!dropFromPageCache(cli)) console.log(`(could not drop ${cli} from the page cache)`);

/** Runs argv under GNU time: seconds and peak RSS in MiB. */
function timed(argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { env: ENV, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const last = r.stderr.trim().split("\n").at(-1);
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  const [s, kb] = last.split(" ").map(Number);
  return { s, mib: kb / 1024 };
}

async function makeFile(path, mib) {
  const h = createHash("sha256");
  const out = createWriteStream(path);
  for (let i = 0; i < mib; i++) {
    const chunk = randomBytes(1 << 20);
    h.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return h.digest("hex");
}

async function sha256File(path) {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest("hex");
}

function inContainer(...command) {
  const r = spawnSync("lxc", ["exec", C, "--", ...command], { env: ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`lxc exec ${command.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const rows = [];
try {
  inContainer("mkdir", "-p", remoteDir);
  for (const mib of SIZES) {
    const src = join(work, `src-${mib}.bin`);
    const want = await makeFile(src, mib);
    for (let run = 1; run <= RUNS; run++) {
      for (const transport of TRANSPORTS) {
        const at = `${prefix[transport]}${C}`;
        const tools = {
          ...Object.fromEntries(
            builds.map((b) => [
              b.label,
              {
                push: (dst) => [...b.argv, "file", "push", src, `${at}${dst}`],
                pull: (from, dst) => [...b.argv, "file", "pull", `${at}${from}`, dst],
              },
            ]),
          ),
          lxc: {
            push: (dst) => ["lxc", "file", "push", src, `${at}${dst}`],
            pull: (from, dst) => ["lxc", "file", "pull", `${at}${from}`, dst],
          },
        };
        // Rotate which tool goes first, so that none always runs on a warmer cache.
        const names = Object.keys(tools);
        const order = names.map((_, j) => names[(run - 1 + j) % names.length]);
        for (const [k, tool] of order.entries()) {
          const t = tools[tool];
          const remote = `${remoteDir}/t${k}-${mib}.bin`;
          const local = join(work, `pulled-t${k}-${mib}.bin`);
          const push = timed(t.push(remote));
          const inside = inContainer("sha256sum", remote).split(" ")[0];
          const pull = timed(t.pull(remote, local));
          const pulled = await sha256File(local);
          if (inside !== want || pulled !== want)
            throw new Error(`${tool} ${mib} MiB ${transport}: sha256 differs (inside ${inside}, pulled ${pulled}, source ${want})`);
          rows.push({ run, transport, tool, mib, push, pull });
          rmSync(local);
          inContainer("rm", "-f", remote);
        }
      }
    }
    rmSync(src);
  }
} finally {
  spawnSync("lxc", ["exec", C, "--", "rm", "-rf", remoteDir], { env: ENV });
  rmSync(work, { recursive: true, force: true });
  rmSync(conf, { recursive: true, force: true });
}

const f = (x) => `${x.s.toFixed(2)} s, ${x.mib.toFixed(1)} MiB`;
console.log(`file push/pull, ${C} (${env.label}), CLI ${builds.map((b) => b.argv.join(" ")).join(" and ")}; sha256 checked for every copy`);
console.log("| run | size | transport | tool | push | pull |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.run} | ${r.mib} MiB | ${r.transport} | ${r.tool} | ${f(r.push)} | ${f(r.pull)} |`);
const ratio = (a, b) => `${(a.s / b.s).toFixed(2)}× time, ${(a.mib / b.mib).toFixed(2)}× RSS`;
for (const mib of SIZES)
  for (const transport of TRANSPORTS) {
    const pick = (tool) => rows.filter((r) => r.tool === tool && r.mib === mib && r.transport === transport);
    const lxc = pick("lxc");
    for (const { label } of builds) {
      const ours = pick(label);
      for (let i = 0; i < ours.length; i++)
        console.log(
          `${mib} MiB ${transport} run ${ours[i].run}, ${label} / lxc: push ${ratio(ours[i].push, lxc[i].push)}; pull ${ratio(ours[i].pull, lxc[i].pull)}`,
        );
      if (RUNS > 1) {
        const med = (rs, k) => ({ s: median(rs.map((r) => r[k].s)), mib: median(rs.map((r) => r[k].mib)) });
        const [op, lp, ol, ll] = [med(ours, "push"), med(lxc, "push"), med(ours, "pull"), med(lxc, "pull")];
        console.log(
          `${mib} MiB ${transport}, medians of ${RUNS}: ${label} push ${f(op)}, pull ${f(ol)}; lxc push ${f(lp)}, pull ${f(ll)}; ` +
            `push ${ratio(op, lp)}; pull ${ratio(ol, ll)} (goal ≤ 48 MiB, ≤ 1.1× time)`,
        );
      }
    }
  }
