// The real-LXD suite for the server runtimes: Node (20, 22, 24), Deno and Bun run this same
// file. It imports the package by its name, so each runtime's export condition picks the entry
// (node → dist/index.js, deno → dist/deno.js, bun → dist/bun.js), and checks that it did.
// It reads .lxd-test/lxd.env (written by scripts/lxd-up.sh and scripts/incus-up.sh), runs the
// cases of cases.mjs against each server (LXD 5.0.2, Incus 6.0.4; names start [lxd] / [incus])
// over the unix socket and over HTTPS with mutual TLS, prints one line per case and a closing
// `<runtime>: N passed, M failed`, and exits non-zero on any failure.
// Without a server it runs against the other one (and skips without both); under CI=true a
// missing server fails. test-runtimes/run.mjs runs it in
// every runtime with the right flags (Deno's permissions, npx for Node 22/24).
import process from "node:process";
import * as lx from "lxd-fetch";
import { assert, coreCases, failureCases, runCases, tlsCases } from "./cases.mjs";
import { oidcCases } from "./oidc-cases.mjs";
import { loadServers, skipOrFail } from "../scripts/lxd-env.mjs";

const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const version = runtime === "deno" ? globalThis.Deno.version.deno : runtime === "bun" ? globalThis.Bun.version : process.versions.node;
const label = runtime === "node" ? `node${version.split(".")[0]}` : runtime;
const log = (line) => console.log(`[${label}] ${line}`);

const servers = loadServers();
const available = servers.filter((s) => s.env);
// A missing server fails under CI=true; locally the suite runs against the servers there are.
const missing = servers.filter((s) => !s.env);
if (missing.length && (process.env.CI === "true" || !available.length)) skipOrFail(label, missing.map((s) => s.why).join("; "));
for (const s of missing) log(`${s.server.name} skipped: ${s.why}`);

// Each entry exports its own transport; the export condition decides which one we got.
const expected = { node: "nodeTransport", deno: "denoTransport", bun: "bunTransport" }[runtime];
// biome-ignore lint/performance/noDynamicNamespaceImportAccess: the name is the point of the check
const transportOf = lx[expected];
const clients = [];

const cases = [
  [
    `the "${runtime}" export condition chose this runtime's entry`,
    async () => {
      const others = ["nodeTransport", "denoTransport", "bunTransport", "browserTransport"].filter((k) => k !== expected && k in lx);
      assert(typeof transportOf === "function", `lxd-fetch exports ${expected}`);
      assert(others.length === 0, `no other runtime's transport is exported (got ${others.join(", ")})`);
    },
  ],
  ...failureCases(lx),
];
for (const { server, env } of available) {
  const lxd = lx.createLxd({
    remotes: {
      unix: { socket: env.socket },
      https: { url: env.httpsUrl, ca: env.serverCert, cert: env.clientCert, key: env.clientKey },
    },
    defaultRemote: "unix",
  });
  clients.push(lxd);
  const tag = `[${server.id}] `;
  if (server.id === "lxd") {
    cases.push([
      `${tag}"local" with no configuration is the unix socket (${lx.localSocketPath()})`,
      async () => {
        assert(lx.localSocketPath() === env.socket, `localSocketPath() is ${env.socket}`);
        const local = lx.createLxd();
        try {
          const urls = await local.operations.list();
          assert(typeof urls === "object", "list over the default socket");
        } finally {
          await local.close();
        }
      },
    ]);
  } else {
    cases.push([
      `${tag}incusSocketPath() with no configuration is Incus's socket (${lx.incusSocketPath()})`,
      async () => {
        assert(lx.incusSocketPath() === env.socket, `incusSocketPath() is ${env.socket}`);
        const local = lx.createLxd({ remotes: { incus: { socket: lx.incusSocketPath() } }, defaultRemote: "incus" });
        try {
          assert((await local.server.info()).environment?.server === "incus", "the server there says it is Incus");
        } finally {
          await local.close();
        }
      },
    ]);
  }
  cases.push(
    ...coreCases(lx, lxd, "unix", env.container, `${tag}unix: `),
    ...coreCases(lx, lxd, "https", env.container, `${tag}https: `),
    ...tlsCases(lx, env, runtime, transportOf).map(([name, fn]) => [`${tag}${name}`, fn]),
    ...oidcCases(lx, env, tag),
  );
}

// An optional argument selects cases by a regular expression on their names.
const only = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
const selected = only ? cases.filter(([name]) => only.test(name)) : cases;
const started = Date.now();
log(
  `${runtime} ${version}, ${selected.length} cases against ${available.map(({ env }) => `${env.label} (${env.httpsUrl}, ${env.socket})`).join(" and ")}`,
);
const { passed, failed } = await runCases(selected, log);
await Promise.all(clients.map((c) => c.close()));
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${label}: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
