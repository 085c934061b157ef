// Where a local Incus listens, by Incus's own rule (its client's unix connection): $INCUS_SOCKET,
// else $INCUS_DIR/unix.socket, else the Debian package's /var/lib/incus/unix.socket. No
// runtime code here: each server entry passes its own environment reader.

export const INCUS_DEFAULT_SOCKET = "/var/lib/incus/unix.socket";

export type EnvReader = (key: "INCUS_SOCKET" | "INCUS_DIR") => string | undefined;

export function pickIncusSocket(get: EnvReader): string {
  const socket = get("INCUS_SOCKET");
  if (socket) return socket;
  const dir = get("INCUS_DIR");
  return dir ? `${dir.replace(/\/+$/, "")}/unix.socket` : INCUS_DEFAULT_SOCKET;
}
