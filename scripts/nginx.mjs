// nginx on loopback as the same-origin proxy in front of LXD or Incus: one helper for the browser
// suite (test-runtimes/browser.mjs) and the web example's server (examples/web/serve.mjs).
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";

export const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A DNS name from the server's certificate for proxy_ssl_name (nginx does not match IP SANs). */
export function certDnsName(pem) {
  const san = new X509Certificate(pem).subjectAltName ?? "";
  return (
    san
      .split(", ")
      .find((s) => s.startsWith("DNS:"))
      ?.slice(4) ?? hostname()
  );
}

/**
 * Checks and starts nginx with `conf` under `prefix`; `stop()` ends it (SIGTERM, SIGKILL after
 * 5 s) and removes the prefix folder.
 */
export function runNginx(conf, prefix) {
  const args = ["-c", conf, "-p", prefix, "-e", join(prefix, "error.log")];
  const check = spawnSync(NGINX, ["-t", "-q", ...args], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
  const child = spawn(NGINX, args, { stdio: ["ignore", "inherit", "inherit"] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM"); // fast shutdown: the master stops its workers
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  return { child, stop };
}
