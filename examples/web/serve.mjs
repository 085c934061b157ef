#!/usr/bin/env node
// Serves the built web example (examples/web/dist, from `vite build examples/web`) with nginx on
// 127.0.0.1, forwarding /1.0 to the real LXD of scripts/lxd-up.sh (.lxd-test/lxd.env) as the
// README's recipe does. `npm run demo:web` builds and runs it and prints the URL; the browser
// test (test-runtimes/web.mjs) imports startWebServer().
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLxdEnv } from "../../scripts/lxd-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A DNS name from LXD's certificate for proxy_ssl_name (nginx does not match IP SANs). */
function certDnsName(pem) {
  const san = new X509Certificate(pem).subjectAltName ?? "";
  return san.split(", ").find((s) => s.startsWith("DNS:"))?.slice(4) ?? hostname();
}

/**
 * Starts nginx from a new folder holding its config, logs and a copy of the page (world-readable:
 * nginx's workers drop root privileges). Resolves with the origin and a stop function.
 */
export async function startWebServer({ port } = {}) {
  const { kv, env, why } = loadLxdEnv();
  if (!env) throw new Error(`no real LXD: ${why}`);
  if (!existsSync(NGINX)) throw new Error(`nginx is not installed (${NGINX}; bash scripts/setup.sh installs it)`);
  if (!existsSync(join(here, "dist/index.html"))) throw new Error("examples/web/dist is missing: vite build examples/web");
  const prefix = mkdtempSync(join(tmpdir(), "lxd-fetch-web-"));
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, "tmp"));
  cpSync(join(here, "dist"), join(prefix, "www"), { recursive: true });
  const values = {
    PREFIX: prefix,
    PORT: String(port ?? (await freePort())),
    LXD_HOSTPORT: new URL(env.httpsUrl).host,
    CLIENT_CERT: kv.LXD_CLIENT_CERT,
    CLIENT_KEY: kv.LXD_CLIENT_KEY,
    SERVER_CERT: kv.LXD_SERVER_CERT,
    SSL_NAME: certDnsName(env.serverCert),
  };
  const conf = join(prefix, "nginx.conf");
  writeFileSync(conf, readFileSync(join(here, "nginx.conf"), "utf8").replace(/@([A-Z_]+)@/g, (_, k) => values[k]));
  const args = ["-c", conf, "-p", prefix, "-e", join(prefix, "error.log")];
  const check = spawnSync(NGINX, ["-t", "-q", ...args], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  const child = spawn(NGINX, args, { stdio: ["ignore", "inherit", "inherit"] });
  const origin = `http://127.0.0.1:${values.PORT}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM"); // fast shutdown: the master stops its workers
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await fetch(`${origin}/1.0`);
      await r.arrayBuffer();
      if (r.ok) break;
      throw new Error(`GET /1.0 through nginx answered ${r.status}`);
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = existsSync(join(prefix, "error.log")) ? readFileSync(join(prefix, "error.log"), "utf8") : "";
        await stop();
        throw new Error(`nginx did not serve ${origin}: ${err.message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { origin, prefix, stop };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const portArg = process.argv.indexOf("--port");
  const server = await startWebServer(portArg > 0 ? { port: Number(process.argv[portArg + 1]) } : {});
  console.log(`lxd-fetch web example: ${server.origin}/  (nginx on loopback → LXD; Ctrl-C stops it)`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
