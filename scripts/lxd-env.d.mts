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
export interface ClusterMember {
  /** "m1". */
  name: string;
  /** "https://127.0.1.1:8443". */
  url: string;
  /** The member's own unix socket (its LXD_DIR). */
  socket: string;
  /** The running container placed on this member. */
  container: string;
}
export interface ClusterEnv {
  /** "LXD 5.0.2 cluster". */
  label: string;
  members: ClusterMember[];
  urls: string[];
  /** The cluster certificate every member serves (names each member's address). */
  serverCert: string;
  serverFingerprint: string;
  clientCert: string;
  clientKey: string;
  image: string;
  files: Record<"serverCert" | "clientCert" | "clientKey", string>;
}
export function loadClusterEnv():
  | { kv: Record<string, string>; env: ClusterEnv; why?: undefined }
  | { kv?: undefined; env?: undefined; why: string };
type Loaded = { kv: Record<string, string>; env: LxdEnv; why?: undefined } | { kv?: undefined; env?: undefined; why: string };
export const SERVERS: ServerInfo[];
export function loadServerEnv(id: ServerId): Loaded;
export function loadServers(): (Loaded & { server: ServerInfo })[];
export function loadLxdEnv(): Loaded;
export function skipOrFail(label: string, why: string): never;
