#!/usr/bin/env bash
# Bring up a real Incus 6.0 LTS (Debian 12 backports, 6.0.4) beside LXD for the test suite:
# daemon, storage, the same busybox image and a container, HTTPS listener on 127.0.0.1:8444,
# the client certificates lxd-up.sh uses, and the INCUS_ section of $ROOT/.lxd-test/lxd.env.
# Idempotent: a second run only checks, and finishes in about a second.
#   bash scripts/incus-up.sh            # ensure everything is up
#   bash scripts/incus-up.sh --restart  # also kill and restart the daemon (tests daemon restarts)
#   INCUS_UP_STOP_GRACE=0 bash scripts/incus-up.sh --restart   # SIGKILL at once (simulated crash)
# Needs root. There is no systemd on these machines, so the daemon is started by hand, detached.
set -euo pipefail
set -E # let the ERR trap fire inside functions too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$ROOT/.lxd-test
LOG=$STATE/incus-setup.log # apt and incus noise
DLOG=$STATE/incus.log      # the daemon's own output
INCUS_DIR=/var/lib/incus   # Debian package default
SOCKET=$INCUS_DIR/unix.socket
INCUSD=/usr/libexec/incus/incusd
HTTPS_ADDR=127.0.0.1:8444
CONTAINER=lxdfetch-c1
IMAGE=lxdfetch-busybox
SOURCES=/etc/apt/sources.list.d/lxd-fetch-backports.sources
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# The incus CLI below talks to this daemon only, whatever the caller's environment says.
unset INCUS_SOCKET INCUS_REMOTE
export INCUS_DIR

TAG=incus-up
# shellcheck source=scripts/test-server-lib.sh
. "$ROOT/scripts/test-server-lib.sh"
script_start "$@"
own_policy= # set while our own policy-rc.d is in place, removed on any exit
trap 'rm -rf "$TMP"; if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT

# ---------------------------------------------------------------- packages
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in busybox-static openssl curl; do installed "$p" || missing+=("$p"); done
if ! installed incus-base || [ ${#missing[@]} -gt 0 ]; then
  if [ ! -f "$SOURCES" ]; then
    # Backports from the mirror this machine already uses (the URIs of debian.sources).
    uris=$(sed -n '/^URIs:/{/security/!{s/^URIs:[[:space:]]*//p;q}}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    say "adding bookworm-backports from ${uris:=http://deb.debian.org/debian} ($SOURCES)"
    cat >"$SOURCES" <<EOF
Types: deb
URIs: $uris
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  say "installing incus-base${missing[*]:+ ${missing[*]}} (apt output in $LOG)"
  run apt-get update
  # The package must not start a daemon of its own (init scripts): deny service starts for the
  # install unless a policy-rc.d is already there; incusd is started below, the way we want it.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive run apt-get install -y --no-install-recommends ${missing[@]+"${missing[@]}"}
  DEBIAN_FRONTEND=noninteractive run apt-get install -y --no-install-recommends -t bookworm-backports incus-base
  if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; own_policy=; fi
fi

# ---------------------------------------------------------------- daemon
daemon_ready() { incus admin waitready --timeout 1 >/dev/null 2>&1; }

if [ "$RESTART" = 1 ]; then stop_daemon incusd "${INCUS_UP_STOP_GRACE:-10}"; fi

if ! daemon_ready; then
  say "starting daemon (log in $DLOG)"
  # setsid -f: own session, no controlling terminal, so it outlives this script and its shell.
  # From /: the daemon's working directory is its children's (see lxd-up.sh).
  (cd / && setsid -f "$INCUSD" --group root >>"$DLOG" 2>&1 </dev/null)
  incus admin waitready --timeout 60
fi

# ---------------------------------------------------------------- storage and profile
if ! incus storage show default >/dev/null 2>&1; then
  say "creating dir storage pool 'default'"
  run incus storage create default dir
fi
if ! incus profile device list default 2>/dev/null | grep -qx root; then
  say "adding root disk to profile 'default'"
  run incus profile device add default root disk path=/ pool=default
fi

# ---------------------------------------------------------------- image
if ! incus image info "$IMAGE" >/dev/null 2>&1; then
  say "building and importing image '$IMAGE'"
  build_image_tarballs "$CONTAINER"
  run incus image import "$TMP/meta.tar.gz" "$TMP/rootfs.tar.gz" --alias "$IMAGE"
fi

# ---------------------------------------------------------------- container
status() { incus info "$CONTAINER" 2>/dev/null | awk '/^Status:/ {print $2}' || true; } # empty if missing
st=$(status)
if [ -z "$st" ]; then
  say "launching container '$CONTAINER'"
  run incus launch "$IMAGE" "$CONTAINER"
elif [ "$st" != RUNNING ]; then
  say "starting container '$CONTAINER' (was $st)"
  run incus start "$CONTAINER"
fi
st=$(status)
[ "$st" = RUNNING ] || { say "container '$CONTAINER' is $st, not RUNNING"; false; }
out=$(incus exec "$CONTAINER" -- sh -c 'echo ok')
[ "$out" = ok ] || { say "exec check: expected 'ok', got '$out'"; false; }
rc=0; incus exec "$CONTAINER" -- sh -c 'exit 3' || rc=$?
[ "$rc" = 3 ] || { say "exec check: expected exit 3, got $rc"; false; }

# ---------------------------------------------------------------- HTTPS listener
if [ "$(incus config get core.https_address)" != "$HTTPS_ADDR" ]; then
  say "listening on https://$HTTPS_ADDR"
  run incus config set core.https_address "$HTTPS_ADDR"
fi

# ---------------------------------------------------------------- certificates
gen_test_certs
client_fp=$(fingerprint "$STATE/client.crt")
if ! incus query "/1.0/certificates/$client_fp" >/dev/null 2>&1; then
  say "trusting client.crt ($client_fp)"
  run incus config trust add-certificate "$STATE/client.crt"
fi
cmp -s "$INCUS_DIR/server.crt" "$STATE/incus-server.crt" || cp "$INCUS_DIR/server.crt" "$STATE/incus-server.crt"
server_fp=$(fingerprint "$STATE/incus-server.crt")

# ---------------------------------------------------------------- lxd.env (INCUS_ section)
version=$(incus version | awk -F': *' '/^Server version/ {print $2}')
write_env_section INCUS_ <<EOF
INCUS_SOCKET=$SOCKET
INCUS_HTTPS_URL=https://$HTTPS_ADDR
INCUS_SERVER_CERT=$STATE/incus-server.crt
INCUS_SERVER_FINGERPRINT=$server_fp
INCUS_CLIENT_CERT=$STATE/client.crt
INCUS_CLIENT_KEY=$STATE/client.key
INCUS_UNTRUSTED_CERT=$STATE/untrusted.crt
INCUS_UNTRUSTED_KEY=$STATE/untrusted.key
INCUS_OTHER_CA=$STATE/other-ca.crt
INCUS_CONTAINER=$CONTAINER
INCUS_IMAGE=$IMAGE
INCUS_VERSION=$version
EOF

# ---------------------------------------------------------------- self-check
check "unix socket" '"api_status"' --unix-socket "$SOCKET" http://unix/1.0
check "https trusted" '"auth":"trusted"' --cacert "$STATE/incus-server.crt" \
  --cert "$STATE/client.crt" --key "$STATE/client.key" "https://$HTTPS_ADDR/1.0"
check "https untrusted" '"auth":"untrusted"' --cacert "$STATE/incus-server.crt" \
  --cert "$STATE/untrusted.crt" --key "$STATE/untrusted.key" "https://$HTTPS_ADDR/1.0"

say "ready in ${SECONDS}s (Incus $version, container $CONTAINER running)"
