// `remote add <name> <url> --auth-type oidc`, as `incus remote add --auth-type oidc` does it:
// the server's certificate is shown by its SHA-256 and kept only with --accept-certificate, then
// the device flow signs in (URL and code on stderr), the tokens go to a 0600 file, and the remote
// is written to config.yml with `auth_type: oidc`.
import { LxdFetchError } from "../utils/errors.js";
import { UsageError } from "./args.js";
import { cliOidc } from "./oidc.js";
import { normalizeUrl, peerCertificate, remoteConfig } from "./remote-config.js";
import { createClient } from "./runtime.js";

export async function remoteAddOidc(args: string[], accept: boolean, out: (s: string) => void): Promise<number> {
  const [name, given] = args;
  if (!name || !given || args.length > 2) throw new UsageError("remote add <name> <url> --auth-type oidc [--accept-certificate]");
  const url = normalizeUrl(given, "OIDC needs an https:// remote");
  const config = await remoteConfig(name);

  const cert = await peerCertificate(url);
  if (!accept) {
    process.stderr.write(`Certificate fingerprint of ${url.host}: ${cert.fingerprint}\n`);
    throw new UsageError("remote add: check the fingerprint, then run again with --accept-certificate");
  }
  const lxd = await createClient({ remotes: { [name]: { url: url.origin, ca: cert.pem, auth: { oidc: cliOidc(config.dir, name) } } } });
  try {
    const info = await lxd.server.info(name);
    if (info.auth !== "trusted") throw new LxdFetchError(`remote add: ${url.host} did not accept the sign-in`);
    config.save(url, cert.pem, info, "oidc");
    const who = (info as { auth_user_name?: string }).auth_user_name;
    out(`Signed in to ${name}${who ? ` as ${who}` : ""} (OIDC)`);
  } finally {
    await lxd.close();
  }
  return 0;
}
