// Types of scripts/lxd-env.mjs for the TypeScript suites.
export type ServerId = "lxd" | "incus";
export interface ServerInfo {
  id: ServerId;
  name: string;
  prefix: string;
  up: string;
}
export interface LxdEnv {
  /** Which server this is. */
  server: ServerId;
  /** "LXD 5.0.2", "Incus 6.0.4". */
  label: string;
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
  /** Alias of the busybox image the container was launched from. */
  image: string;
  /** Paths of the PEM files above. */
  files: Record<"serverCert" | "clientCert" | "clientKey" | "untrustedCert" | "untrustedKey" | "otherCa", string>;
}
type Loaded = { kv: Record<string, string>; env: LxdEnv; why?: undefined } | { kv?: undefined; env?: undefined; why: string };
export const SERVERS: ServerInfo[];
export function loadServerEnv(id: ServerId): Loaded;
export function loadServers(): (Loaded & { server: ServerInfo })[];
export function loadLxdEnv(): Loaded;
export function skipOrFail(label: string, why: string): never;
