#!/usr/bin/env node
// A backup carried from one server to another through the client, against lxc, in the same run,
// each as its own process under GNU time (wall time, peak RSS): lxd-fetch's relay (backup,
// export streamed straight into the import on the target: no file, never whole in memory), the
// CLI's `export FILE` + `import FILE`, and `lxc export` + `lxc import`. Two sizes show whether
// memory stays flat. Every copy is checked: the blob's sha256 in the imported container.
//
//   npx tsup && node bench/backup-relay.mjs [--sizes 64,512] (MiB) [--runs 3] [--dir /var/lib/lxd]
//
// --dir: the LXD_DIR of the server (its unix socket): source and target are that one server
// (the import under another name), which is what lxc's export + import can do as well.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLxd } from "../dist/index.js";
import { lxdEnv, median } from "./env.mjs";

const env = lxdEnv();
const arg = (name, dflt) => (process.argv.indexOf(name) > 0 ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const SIZES = arg("--sizes", "64,512").split(",").map(Number);
const RUNS = Number(arg("--runs", "3"));
const DIR = arg("--dir", "/var/lib/lxd");
const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
if (!existsSync("/usr/bin/time")) throw new Error("bench/backup-relay: needs GNU time");
const socket = join(DIR, "unix.socket");
const ENV = { ...process.env, LXD_DIR: DIR, LXD_CONF: mkdtempSync(join(tmpdir(), "lfb-backup-bench-conf-")) };
const work = mkdtempSync(join(tmpdir(), "lfb-backup-bench-"));
const lxd = createLxd({ remotes: { s: { socket } } });
const SRC = `lfb-backup-bench-${process.pid}`;

/** The relay itself, run as its own process so that its peak RSS is its own. */
const RELAY = `
import { createLxd } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).pathname)};
const [socket, src, dst] = process.argv.slice(1);
const lxd = createLxd({ remotes: { s: { socket } } });
await (await lxd.backups.create("s", src, "bench", { instanceOnly: true, compression: "none" })).wait();
const out = await lxd.backups.export("s", src, "bench");
await (await lxd.backups.import("s", out.body, { name: dst })).wait();
await (await lxd.backups.delete("s", src, "bench")).wait();
await lxd.close();`;

function timed(argv) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", ...argv], { env: ENV, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
  const [s, kb] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { s, mib: kb / 1024 };
}
const both = (a, b) => ({ s: a.s + b.s, mib: Math.max(a.mib, b.mib) });

async function remove(name) {
  await (await lxd.instances.setState("s", name, { action: "stop", force: true }).catch(() => undefined))?.wait().catch(() => undefined);
  await (await lxd.instances.delete("s", name).catch(() => undefined))?.wait().catch(() => undefined);
}

async function check(name, sum) {
  await (await lxd.instances.setState("s", name, { action: "start" })).wait();
  const got = (await lxd.run("s", name, ["sha256sum", "/root/blob"])).text().split(" ")[0];
  await remove(name);
  if (got !== sum) throw new Error(`${name}: sha256 ${got}, want ${sum}`);
}

const image = env.socket === socket ? env.image : "lxdfetch-busybox";
try {
  await lxd.instances.launch("s", SRC, { alias: image });
  console.log(`server ${DIR}; ${RUNS} runs each, median; the machine is shared (2 cores)`);
  // Each process's fixed cost (start, one request, exit), measured in the same run.
  const idle = (argv) => median(Array.from({ length: RUNS }, () => timed(argv).s)).toFixed(2);
  console.log(
    `baseline, one request and exit: lxd-fetch info ${idle([process.execPath, CLI, "info"])} s, lxc info ${idle(["lxc", "info", "-q"])} s`,
  );
  console.log("size      lxd-fetch relay      lxd-fetch CLI export+import   lxc export+import");
  for (const mib of SIZES) {
    const r = await lxd.run("s", SRC, ["sh", "-c", `head -c ${mib << 20} /dev/urandom > /root/blob && sha256sum /root/blob`]);
    const sum = r.text().split(" ")[0];
    const rows = { relay: [], cli: [], lxc: [] };
    for (let i = 0; i < RUNS; i++) {
      const file = join(work, "b.tar");
      rows.relay.push(timed([process.execPath, "--input-type=module", "-e", RELAY, socket, SRC, `${SRC}-r`]));
      await check(`${SRC}-r`, sum);
      rows.cli.push(
        both(
          timed([process.execPath, CLI, "export", SRC, file, "--instance-only", "--compression", "none"]),
          timed([process.execPath, CLI, "import", file, `${SRC}-c`]),
        ),
      );
      rmSync(file, { force: true });
      await check(`${SRC}-c`, sum);
      rows.lxc.push(
        both(
          timed(["lxc", "export", SRC, file, "--instance-only", "--compression", "none", "-q"]),
          timed(["lxc", "import", file, `${SRC}-l`, "-q"]),
        ),
      );
      rmSync(file, { force: true });
      await check(`${SRC}-l`, sum);
    }
    const cell = (xs) => `${median(xs.map((x) => x.s)).toFixed(2)} s ${median(xs.map((x) => x.mib)).toFixed(0)} MiB`.padEnd(30);
    console.log(`${String(mib).padStart(5)} MiB ${cell(rows.relay)}${cell(rows.cli)}${cell(rows.lxc)}`);
  }
} finally {
  for (const n of [SRC, `${SRC}-r`, `${SRC}-c`, `${SRC}-l`]) await remove(n);
  rmSync(work, { recursive: true, force: true });
  rmSync(ENV.LXD_CONF, { recursive: true, force: true });
  await lxd.close();
}
