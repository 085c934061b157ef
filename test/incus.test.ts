// Finding a local Incus: the rule of Incus's own client, in the entry every server runtime uses.
import { describe, expect, it } from "vitest";
import { incusSocketPath } from "../src/index.js";
import { INCUS_DEFAULT_SOCKET, pickIncusSocket } from "../src/transport/incus.js";

describe("incusSocketPath", () => {
  it("$INCUS_SOCKET first, then $INCUS_DIR/unix.socket, then /var/lib/incus/unix.socket", () => {
    expect(incusSocketPath({ INCUS_SOCKET: "/run/a.sock", INCUS_DIR: "/srv/incus" })).toBe("/run/a.sock");
    expect(incusSocketPath({ INCUS_DIR: "/srv/incus/" })).toBe("/srv/incus/unix.socket");
    expect(incusSocketPath({})).toBe("/var/lib/incus/unix.socket");
    expect(INCUS_DEFAULT_SOCKET).toBe("/var/lib/incus/unix.socket");
  });

  it("empty variables count as unset, as in Incus", () => {
    expect(pickIncusSocket((k) => ({ INCUS_SOCKET: "", INCUS_DIR: "" })[k])).toBe("/var/lib/incus/unix.socket");
  });

  it("reads process.env by default", () => {
    const saved = process.env.INCUS_SOCKET;
    process.env.INCUS_SOCKET = "/tmp/from-env.sock";
    try {
      expect(incusSocketPath()).toBe("/tmp/from-env.sock");
    } finally {
      if (saved === undefined) delete process.env.INCUS_SOCKET;
      else process.env.INCUS_SOCKET = saved;
    }
  });
});
