#!/usr/bin/env node
// Serves the built web example (examples/web/dist, from `vite build examples/web`) with nginx on
// 127.0.0.1, forwarding /1.0 to the real LXD of scripts/lxd-up.sh (.lxd-test/lxd.env) as the
// recipe of docs/web-apps.md does. Without a reachable LXD (no lxd.env, its socket missing, or GET /1.0
// failing through nginx), or with `--virtual`, it serves the page alone and prints its `?virtual`
// URL: the page then runs the virtual LXD in itself (MSW's service worker). `npm run demo:web`
// builds and runs it and prints the URL; the browser tests (test-runtimes/web.mjs,
// web-virtual.mjs) import startWebServer().
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { certDnsName, freePort, NGINX, runNginx } from "../../scripts/nginx.mjs";
import { loadLxdEnv } from "../../scripts/lxd-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Thrown when nginx runs but LXD does not answer GET /1.0 through it, or there is no LXD set up. */
export class NoLxdError extends Error {}

/** The nginx.conf template without the /1.0 proxy: the page alone, for the virtual LXD. */
const withoutLxd = (conf) => {
  if (!/\n {4}location \/1\.0 \{/.test(conf)) throw new Error("examples/web/nginx.conf: no `location /1.0` block to replace");
  return conf.replace(
    /\n {4}location \/1\.0 \{[\s\S]*?\n {4}\}\n/,
    `
    # No LXD behind this server: the page runs the virtual LXD itself (open it with ?virtual).
    location /1.0 {
      default_type text/plain;
      return 503 "no LXD behind this server: open /?virtual for the virtual LXD in the page\\n";
    }
`,
  );
};

/**
 * Starts nginx from a new folder holding its config, logs and a copy of the page (world-readable:
 * nginx's workers drop root privileges). Resolves with the origin, the page's URL and a stop
 * function. `virtual: true` serves the page without LXD (its URL then has `?virtual`).
 */
export async function startWebServer({ port, virtual = false } = {}) {
  const { kv, env, why } = virtual ? {} : loadLxdEnv();
  if (!virtual && !env) throw new NoLxdError(`no real LXD: ${why}`);
  if (!existsSync(NGINX)) throw new Error(`nginx is not installed (${NGINX}; bash scripts/setup.sh installs it)`);
  if (!existsSync(join(here, "dist/index.html"))) throw new Error("examples/web/dist is missing: vite build examples/web");
  const prefix = mkdtempSync(join(tmpdir(), "lxd-fetch-web-"));
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, "tmp"));
  cpSync(join(here, "dist"), join(prefix, "www"), { recursive: true });
  const values = {
    PREFIX: prefix,
    PORT: String(port ?? (await freePort())),
    ...(!virtual && {
      LXD_HOSTPORT: new URL(env.httpsUrl).host,
      CLIENT_CERT: kv.LXD_CLIENT_CERT,
      CLIENT_KEY: kv.LXD_CLIENT_KEY,
      SERVER_CERT: kv.LXD_SERVER_CERT,
      SSL_NAME: certDnsName(env.serverCert),
    }),
  };
  const conf = join(prefix, "nginx.conf");
  const template = readFileSync(join(here, "nginx.conf"), "utf8");
  writeFileSync(
    conf,
    (virtual ? withoutLxd(template) : template).replace(/@([A-Z_]+)@/g, (_, k) => values[k]),
  );
  const { child, stop } = runNginx(conf, prefix);
  const origin = `http://127.0.0.1:${values.PORT}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    let r;
    try {
      r = await fetch(virtual ? `${origin}/` : `${origin}/1.0`);
      await r.arrayBuffer();
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = existsSync(join(prefix, "error.log")) ? readFileSync(join(prefix, "error.log"), "utf8") : "";
        await stop();
        throw new Error(`nginx did not serve ${origin}: ${err.message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (r.ok) break;
    // nginx answers, so the failure is LXD's (unreachable: 502, or an error of its own).
    await stop();
    throw new (virtual ? Error : NoLxdError)(`GET ${virtual ? "/" : "/1.0"} through nginx answered ${r.status}`);
  }
  return { origin, url: `${origin}/${virtual ? "?virtual" : ""}`, virtual, prefix, stop };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const portArg = process.argv.indexOf("--port");
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : undefined;
  let server;
  if (!process.argv.includes("--virtual")) {
    try {
      server = await startWebServer({ port });
    } catch (err) {
      if (!(err instanceof NoLxdError)) throw err;
      console.log(`lxd-fetch web example: ${err.message}; serving the page on the virtual LXD instead`);
    }
  }
  server ??= await startWebServer({ port, virtual: true });
  const behind = server.virtual ? "the virtual LXD runs in the page (MSW's service worker)" : "LXD";
  console.log(`lxd-fetch web example: ${server.url}  (nginx on loopback → ${behind}; Ctrl-C stops it)`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
