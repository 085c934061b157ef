// Reads .lxd-test/lxd.env (written by scripts/lxd-up.sh) for the benchmarks.
import { loadLxdEnv } from "../scripts/lxd-env.mjs";

export function lxdEnv() {
  const { env, why } = loadLxdEnv();
  if (!env) {
    console.error(`bench: ${why}`);
    process.exit(2);
  }
  return { ...env, tls: { ca: env.serverCert, cert: env.clientCert, key: env.clientKey } };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
