// The CLI's OIDC sign-in for a remote with `auth_type: oidc`: tokens cached in
// <config>/lxd-fetch-oidc/<remote>.json (mode 0600, never printed), refreshed by the library, and
// the device flow's URL and code on stderr when a sign-in is needed (as `incus` prints them).
import { join } from "node:path";
import { fileTokenStore } from "../auth/file-store.js";
import type { OidcOptions } from "../auth/types.js";

export const tokenFile = (dir: string, remote: string) => join(dir, "lxd-fetch-oidc", `${remote}.json`);

export function cliOidc(dir: string, remote: string): OidcOptions {
  return {
    store: fileTokenStore(tokenFile(dir, remote)),
    onDeviceCode(p) {
      process.stderr.write(
        `Sign in to remote ${remote}: open ${p.verificationUri} and enter the code ${p.userCode}\n` +
          (p.verificationUriComplete ? `(or open ${p.verificationUriComplete})\n` : ""),
      );
    },
  };
}
