// Throwaway certificates made with openssl for the transport tests (no LXD needed).
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pair {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, lower-case hex. */
  fingerprint: string;
}

export function selfSigned(cn: string, san = "IP:127.0.0.1"): Pair {
  const dir = mkdtempSync(join(tmpdir(), "lxd-fetch-cert-"));
  const [crt, key] = [join(dir, "c.crt"), join(dir, "c.key")];
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      `subjectAltName=${san}`,
      "-keyout",
      key,
      "-out",
      crt,
    ],
    { stdio: "ignore" },
  );
  const cert = readFileSync(crt, "utf8");
  const fingerprint = createHash("sha256").update(new X509Certificate(cert).raw).digest("hex");
  return { cert, key: readFileSync(key, "utf8"), fingerprint };
}
