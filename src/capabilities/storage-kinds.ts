// What the client can check of storage before sending: a pool's driver and a volume's content
// type are LXD's fixed words, so a misspelt one is an InvalidArgumentError, not a request.
import { InvalidArgumentError } from "../utils/errors.js";
import { checkText } from "../utils/validate.js";

/**
 * Every storage driver LXD or Incus knows: LXD 5.0 has dir, btrfs, lvm, zfs, ceph, cephfs;
 * cephobject came with buckets; newer LXD adds powerflex, pure, alletra, powerstore; Incus adds
 * lvmcluster, linstor, truenas. A known driver the server lacks is the server's own refusal
 * (its `environment.storage_supported_drivers` lists what it has).
 */
export const STORAGE_DRIVERS = [
  "dir",
  "btrfs",
  "lvm",
  "zfs",
  "ceph",
  "cephfs",
  "cephobject",
  "lvmcluster",
  "linstor",
  "truenas",
  "powerflex",
  "pure",
  "alletra",
  "powerstore",
] as const;
export type StorageDriver = (typeof STORAGE_DRIVERS)[number];

/** A volume's content type, the `{type}` segment of its path. */
export const VOLUME_TYPES = ["custom", "container", "virtual-machine", "image"] as const;
export type VolumeType = (typeof VOLUME_TYPES)[number];

export function checkDriver(where: string, driver: unknown): StorageDriver {
  const d = checkText(where, "driver", driver, { empty: false });
  if ((STORAGE_DRIVERS as readonly string[]).includes(d)) return d as StorageDriver;
  throw new InvalidArgumentError(`${where}: unknown storage driver ${JSON.stringify(d)} (one of ${STORAGE_DRIVERS.join(", ")})`);
}

export function checkVolumeType(where: string, type: unknown): VolumeType {
  const t = checkText(where, "volume type", type, { empty: false });
  if ((VOLUME_TYPES as readonly string[]).includes(t)) return t as VolumeType;
  throw new InvalidArgumentError(`${where}: unknown volume type ${JSON.stringify(t)} (one of ${VOLUME_TYPES.join(", ")})`);
}

/**
 * `fn` (a flat call: the remote, then its arguments) with `check` run on its arguments first; a
 * failed check rejects like the call's own checks do, before anything is sent.
 */
export function checkedFirst<F extends (...a: never[]) => Promise<unknown>>(fn: F, check: (args: unknown[]) => void): F {
  return (async (...a: unknown[]) => {
    check(a);
    return (fn as unknown as (...a: unknown[]) => Promise<unknown>)(...a);
  }) as unknown as F;
}
