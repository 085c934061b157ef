#!/usr/bin/env node
// The web example signed in with Incus's own OIDC flow, with no client certificate anywhere: an
// HTTPS server on 127.0.0.1 serves the built page (examples/web/dist) at /ui/ and forwards /1.0
// (requests and the exec/events websocket upgrades) and /oidc/ to the Incus of
// scripts/incus-up.sh, verifying Incus's certificate and presenting none of its own. The page and
// the API are one origin, so Incus's session cookies (Secure, SameSite=Strict) ride every
// request. Why each piece (Incus 6.0.4, internal/server/auth/oidc/oidc.go):
// - The Host header goes to Incus unchanged: Incus builds the sign-in's return address from it
//   (https://<Host>/oidc/callback), so the identity provider sends the browser back here; the
//   IdP must list that address (scripts/idp.mjs lists ports 8450-8459).
// - The page is at /ui/: Incus's callback ends with a redirect to /ui/.
// - TLS with the test CA of scripts/web-cert.mjs: the callback is https://, the cookies Secure.
//   `npm run demo:web-sign-in` builds and runs it and prints the URL; test-runtimes/web-sign-in.mjs
// imports startSignInServer().
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, request } from "node:https";
import { extname, join, normalize } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { ensureWebCert } from "../../scripts/web-cert.mjs";
import { loadServerEnv } from "../../scripts/lxd-env.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The ports the test IdP accepts a return address on (scripts/idp.mjs). */
export const SIGN_IN_PORTS = Array.from({ length: 10 }, (_, i) => 8450 + i);
const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
};
const forwarded = (path) => path === "/1.0" || path.startsWith("/1.0/") || path.startsWith("/1.0?") || path.startsWith("/oidc/");

/**
 * Starts the server on 127.0.0.1 (`port`, else the first free of SIGN_IN_PORTS). Resolves with its
 * origin, the page's URL, the CA a browser must trust, and a stop function.
 */
export async function startSignInServer({ port, www = join(here, "dist") } = {}) {
  const { env, why } = loadServerEnv("incus");
  if (!env) throw new Error(`no Incus: ${why}`);
  if (!existsSync(join(www, "index.html"))) throw new Error(`${www} is missing: vite build examples/web`);
  const incus = new URL(env.httpsUrl);
  const upstream = { host: incus.hostname, port: Number(incus.port || 443), ca: env.serverCert };
  const tls = ensureWebCert();
  const sockets = new Set();

  const server = createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    const path = new URL(req.url, "https://x").pathname;
    if (forwarded(req.url)) {
      // No client certificate: Incus sees the browser's cookies and nothing else.
      // servername "": no SNI from the Host header; Incus is checked against its own address.
      const out = request({ ...upstream, servername: "", method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode, up.rawHeaders);
        up.pipe(res);
      });
      out.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`Incus could not be reached: ${err.code ?? err.message}\n`);
      });
      req.pipe(out);
      return;
    }
    if (path === "/" || path === "/ui") {
      res.writeHead(302, { location: "/ui/" }).end();
      return;
    }
    if (!path.startsWith("/ui/")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const file = normalize(join(www, decodeURIComponent(path.slice(4)) || "index.html"));
    const target = file.startsWith(www) && existsSync(file) && statSync(file).isDirectory() ? join(file, "index.html") : file;
    if (!target.startsWith(www) || !existsSync(target)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(target)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(target));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // Websocket upgrades (exec, console, events): the request as it came, then bytes both ways.
  server.on("upgrade", (req, socket, head) => {
    if (!forwarded(req.url)) return socket.destroy();
    const up = connect({ ...upstream, ALPNProtocols: ["http/1.1"] }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    const end = () => {
      up.destroy();
      socket.destroy();
      sockets.delete(up);
    };
    up.on("error", end).on("close", end);
    socket.on("error", end).on("close", end);
  });

  const listen = (p) =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        server.off("error", reject);
        resolve(p);
      });
    });
  let bound;
  for (const p of port ? [port] : SIGN_IN_PORTS) {
    try {
      bound = await listen(p);
      break;
    } catch (err) {
      if (err.code !== "EADDRINUSE" || port) throw err;
    }
  }
  if (!bound) throw new Error(`ports ${SIGN_IN_PORTS[0]}-${SIGN_IN_PORTS.at(-1)} are all taken`);
  const origin = `https://127.0.0.1:${bound}`;
  return {
    origin,
    url: `${origin}/ui/`,
    ca: tls.ca,
    incus: env.httpsUrl,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const portArg = process.argv.indexOf("--port");
  const server = await startSignInServer({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : undefined });
  console.log(`lxd-fetch web example, signing in with Incus's OIDC flow: ${server.url}`);
  console.log(`  (HTTPS on loopback → ${server.incus}, no client certificate; the browser must trust ${server.ca}; Ctrl-C stops it)`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
