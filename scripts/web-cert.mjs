// A local certificate authority and a server certificate it signs for 127.0.0.1 and localhost,
// for the web example's HTTPS sign-in server (examples/web/serve-sign-in.mjs): Incus's sign-in
// comes back to https://<the page's host>/oidc/callback, and its session cookies are Secure, so
// the page must be served over TLS. Made with openssl on first use, kept in .lxd-test/ (the keys
// mode 0600; WEB_CERT_DIR elsewhere); a browser that should open the page trusts web-ca.crt (the sign-in suite puts it in
// its own Chromium profile's NSS database; nothing system-wide).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Paths of the CA certificate and the server's certificate and key, made if missing. */
export function ensureWebCert(dir = process.env.WEB_CERT_DIR ?? join(root, ".lxd-test")) {
  const files = {
    ca: join(dir, "web-ca.crt"),
    caKey: join(dir, "web-ca.key"),
    cert: join(dir, "web-server.crt"),
    key: join(dir, "web-server.key"),
  };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    files.caKey,
    "-out",
    files.ca,
    "-days",
    "3650",
    "-subj",
    "/O=lxd-fetch tests/CN=lxd-fetch web test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  const csr = `${files.cert}.csr`;
  const ext = `${files.cert}.ext`;
  openssl("req", "-new", ...ec, "-keyout", files.key, "-out", csr, "-subj", "/O=lxd-fetch tests/CN=127.0.0.1");
  writeFileSync(
    ext,
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    files.ca,
    "-CAkey",
    files.caKey,
    "-CAcreateserial",
    "-out",
    files.cert,
    "-days",
    "825",
    "-extfile",
    ext,
  );
  execFileSync("rm", ["-f", csr, ext, `${files.ca.replace(/\.crt$/, "")}.srl`]);
  execFileSync("chmod", ["600", files.caKey, files.key]);
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureWebCert());
