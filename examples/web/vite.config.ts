// The web example's build (`vite build examples/web`) and its dev server (`vite examples/web`),
// whose proxy forwards /1.0 to the real LXD as the nginx recipe of docs/web-apps.md does: requests and
// websocket upgrades, the trusted client certificate presented, LXD's certificate verified.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type ProxyOptions } from "vite";

const root = fileURLToPath(new URL("../..", import.meta.url));
const envFile = `${root}.lxd-test/lxd.env`;

/** The /1.0 proxy to the LXD of scripts/lxd-up.sh, when there is one. */
function lxdProxy(): Record<string, ProxyOptions> {
  if (!existsSync(envFile)) return {};
  const kv = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const url = new URL(kv.LXD_HTTPS_URL!);
  const pem = (k: string) => readFileSync(kv[k]!, "utf8");
  return {
    "/1.0": {
      target: {
        protocol: "https:",
        host: url.hostname,
        port: Number(url.port),
        ca: pem("LXD_SERVER_CERT"),
        cert: pem("LXD_CLIENT_CERT"),
        key: pem("LXD_CLIENT_KEY"),
      } as never,
      secure: true, // verify LXD's certificate against `ca`
      ws: true, // exec and events websockets
    },
  };
}

/**
 * The package's `browser` export condition (dist/browser.js), which a bundler picks for an app
 * that installed lxd-fetch. Vite does not resolve a package from inside itself, and an alias to
 * the folder would take package.json's `module` field (the Node entry) instead of the exports map.
 */
function browserEntry(): string {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { exports: { ".": { browser: { default: string } } } };
  return `${root}${pkg.exports["."].browser.default}`;
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  // lxd-fetch/mock (the virtual LXD, with MSW) is loaded only in virtual mode, by a dynamic import.
  resolve: {
    alias: [
      { find: /^lxd-fetch$/, replacement: browserEntry() },
      { find: /^lxd-fetch\/mock$/, replacement: `${root}dist/mock.js` },
    ],
  },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  server: { host: "127.0.0.1", proxy: lxdProxy() },
  preview: { host: "127.0.0.1", proxy: lxdProxy() },
});
