// Types of scripts/lxd-env.mjs for the TypeScript suites.
export interface LxdEnv {
  socket: string;
  httpsUrl: string;
  serverCert: string;
  serverFingerprint: string;
  clientCert: string;
  clientKey: string;
  untrustedCert: string;
  untrustedKey: string;
  otherCa: string;
  container: string;
}
export function loadLxdEnv(): { kv: Record<string, string>; env: LxdEnv; why?: undefined } | { kv?: undefined; env?: undefined; why: string };
export function skipOrFail(label: string, why: string): never;
