#!/usr/bin/env bash
# Everything a fresh Debian 12 machine (as root) needs for the demo and the tests: the real LXD
# (scripts/lxd-up.sh), the real Incus beside it (scripts/incus-up.sh), a 3-member LXD cluster
# beside both (scripts/lxd-cluster-up.sh), the OIDC identity provider Incus trusts
# (scripts/idp-up.sh; it needs `npm ci` first), and Debian's Chromium and nginx for the browser
# suite, with NSS's certutil for the sign-in suite (it makes Chromium trust the test CA of
# examples/web/serve-sign-in.mjs in a profile of its own). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lxd-up.sh
bash scripts/incus-up.sh
bash scripts/lxd-cluster-up.sh
bash scripts/idp-up.sh
# Installing nginx must not start the package's own server (port 80 on every address): with no
# policy-rc.d, add one that denies service starts for the install; the browser suite starts its
# own nginx on 127.0.0.1 only.
if ! command -v nginx >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! command -v certutil >/dev/null 2>&1; then
  started=$SECONDS
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx chromium libnss3-tools >/dev/null
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  echo "setup: nginx, chromium and certutil installed in $((SECONDS - started)) s"
fi
