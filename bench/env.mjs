// Reads .lxd-test/lxd.env (written by scripts/lxd-up.sh) for the benchmarks.
import { readFileSync } from "node:fs";

export function lxdEnv() {
  const file = new URL("../.lxd-test/lxd.env", import.meta.url);
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    console.error("bench: no .lxd-test/lxd.env; run `bash scripts/lxd-up.sh` as root first");
    process.exit(2);
  }
  const kv = Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const read = (k) => readFileSync(kv[k], "utf8");
  return {
    socket: kv.LXD_SOCKET,
    httpsUrl: kv.LXD_HTTPS_URL,
    tls: { ca: read("LXD_SERVER_CERT"), cert: read("LXD_CLIENT_CERT"), key: read("LXD_CLIENT_KEY") },
    container: kv.LXD_CONTAINER,
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
