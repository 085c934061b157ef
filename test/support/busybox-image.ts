// The project's busybox image, built by the same shell function scripts/lxd-up.sh uses
// (build_image_tarballs in scripts/test-server-lib.sh), under another host name so that its
// fingerprint differs from the servers' own image: a test may import and delete it freely.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LIB = new URL("../../scripts/test-server-lib.sh", import.meta.url).pathname;

export interface BusyboxImage {
  dir: string;
  /** Split form: metadata.yaml alone, and the root file system. */
  meta: string;
  rootfs: string;
  /** Unified form: metadata.yaml and rootfs/ in one tarball. */
  unified: string;
  /** LXD's fingerprints: sha256 of the unified tarball; of metadata then rootfs for the split one. */
  unifiedFingerprint: string;
  splitFingerprint: string;
  remove(): void;
}

export function buildBusyboxImage(hostname: string): BusyboxImage {
  const dir = mkdtempSync(join(tmpdir(), "lfa-image-"));
  execFileSync(
    "bash",
    [
      "-c",
      `set -e; . "${LIB}"; build_image_tarballs "$1"; tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$TMP" -cf - metadata.yaml rootfs | gzip -n >"$TMP/unified.tar.gz"`,
      "_",
      hostname,
    ],
    { env: { ...process.env, TMP: dir }, stdio: ["ignore", "ignore", "inherit"] },
  );
  const file = (f: string) => join(dir, f);
  const sha = (...files: string[]) => {
    const h = createHash("sha256");
    for (const f of files) h.update(readFileSync(f));
    return h.digest("hex");
  };
  return {
    dir,
    meta: file("meta.tar.gz"),
    rootfs: file("rootfs.tar.gz"),
    unified: file("unified.tar.gz"),
    unifiedFingerprint: sha(file("unified.tar.gz")),
    splitFingerprint: sha(file("meta.tar.gz"), file("rootfs.tar.gz")),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
