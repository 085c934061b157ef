#!/usr/bin/env bash
# Bring up a real LXD (Debian 12 package, 5.0.2) for the test suite: daemon, storage, a tiny
# busybox image and container, HTTPS listener, client certificates, and $ROOT/.lxd-test/lxd.env.
# Idempotent: a second run only checks, and finishes in seconds.
#   bash scripts/lxd-up.sh            # ensure everything is up
#   bash scripts/lxd-up.sh --restart  # also kill and restart the daemon (tests daemon restarts)
#   LXD_UP_STOP_GRACE=0 bash scripts/lxd-up.sh --restart   # SIGKILL at once (simulated crash)
# Needs root. There is no systemd on these machines, so the daemon is started by hand, detached.
set -euo pipefail
set -E # let the ERR trap fire inside functions too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$ROOT/.lxd-test
LOG=$STATE/setup.log      # apt and lxc noise
DLOG=$STATE/lxd.log       # the daemon's own output
LXD_DIR=/var/lib/lxd      # Debian package default
SOCKET=$LXD_DIR/unix.socket
HTTPS_ADDR=127.0.0.1:8443
CONTAINER=lxdfetch-c1
IMAGE=lxdfetch-busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TAG=lxd-up
# shellcheck source=scripts/test-server-lib.sh
. "$ROOT/scripts/test-server-lib.sh"
script_start "$@"

# ---------------------------------------------------------------- packages
missing=()
# nftables: LXD picks its firewall driver once, when it starts; with neither nft nor iptables on
# the machine it falls back to xtables and then fails every network create ("iptables":
# executable file not found). Incus's packages bring nftables, but only after LXD has started.
for p in lxd busybox-static openssl curl nftables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt output in $LOG)"
  run apt-get update
  DEBIAN_FRONTEND=noninteractive run apt-get install -y lxd busybox-static openssl curl nftables
fi

# ---------------------------------------------------------------- daemon
daemon_ready() { lxd waitready --timeout 1 >/dev/null 2>&1; }

# A daemon that started before nftables was there (its log says so since our last start) has no
# firewall that works: restart it once, now that nft is installed.
fell_back() { [ -f "$DLOG" ] && awk '/^lxd-up: starting/{f=0} /Firewall failed to detect/{f=1} END{exit !f}' "$DLOG"; }
if [ "$RESTART" = 0 ] && daemon_ready && fell_back; then
  say "restarting the daemon: it started without a firewall backend (before nftables was installed)"
  RESTART=1
fi
if [ "$RESTART" = 1 ]; then stop_daemon lxd "${LXD_UP_STOP_GRACE:-10}"; fi

if ! daemon_ready; then
  say "starting daemon (log in $DLOG)"
  # setsid -f: own session, no controlling terminal, so it outlives this script and its shell.
  # From /: the daemon's working directory is its children's (rsync, forkexec), and a checkout
  # removed later (a CI clone) made Incus's snapshots fail with "getcwd(): No such file".
  echo "lxd-up: starting lxd at $(date -u +%FT%TZ)" >>"$DLOG"
  (cd / && setsid -f lxd --group root >>"$DLOG" 2>&1 </dev/null)
  lxd waitready --timeout 60
fi

# ---------------------------------------------------------------- storage and profile
# Explicit steps instead of `lxd init --auto`: we want no bridge/NIC, only a dir pool.
if ! lxc storage show default >/dev/null 2>&1; then
  say "creating dir storage pool 'default'"
  run lxc storage create default dir
fi
if ! lxc profile device list default 2>/dev/null | grep -qx root; then
  say "adding root disk to profile 'default'"
  run lxc profile device add default root disk path=/ pool=default
fi

# ---------------------------------------------------------------- image
build_image() {
  build_image_tarballs "$CONTAINER"
  run lxc image import "$TMP/meta.tar.gz" "$TMP/rootfs.tar.gz" --alias "$IMAGE"
}
if ! lxc image info "$IMAGE" >/dev/null 2>&1; then
  say "building and importing image '$IMAGE'"
  build_image
fi

# ---------------------------------------------------------------- container
status() { lxc info "$CONTAINER" 2>/dev/null | awk '/^Status:/ {print $2}' || true; } # empty if missing
st=$(status)
if [ -z "$st" ]; then
  say "launching container '$CONTAINER'"
  run lxc launch "$IMAGE" "$CONTAINER"
elif [ "$st" != RUNNING ]; then
  say "starting container '$CONTAINER' (was $st)"
  run lxc start "$CONTAINER"
fi
st=$(status)
[ "$st" = RUNNING ] || { say "container '$CONTAINER' is $st, not RUNNING"; false; }
out=$(lxc exec "$CONTAINER" -- sh -c 'echo ok')
[ "$out" = ok ] || { say "exec check: expected 'ok', got '$out'"; false; }
rc=0; lxc exec "$CONTAINER" -- sh -c 'exit 3' || rc=$?
[ "$rc" = 3 ] || { say "exec check: expected exit 3, got $rc"; false; }

# ---------------------------------------------------------------- HTTPS listener
if [ "$(lxc config get core.https_address)" != "$HTTPS_ADDR" ]; then
  say "listening on https://$HTTPS_ADDR"
  run lxc config set core.https_address "$HTTPS_ADDR"
fi

# ---------------------------------------------------------------- certificates
gen_test_certs

# Trust the client certificate (only once; the trust store is keyed by full fingerprint).
client_fp=$(fingerprint "$STATE/client.crt")
if ! lxc query "/1.0/certificates/$client_fp" >/dev/null 2>&1; then
  say "trusting client.crt ($client_fp)"
  run lxc config trust add "$STATE/client.crt"
fi

# Copy of the server certificate (the CA for HTTPS tests); rewritten only if it differs.
cmp -s "$LXD_DIR/server.crt" "$STATE/server.crt" || cp "$LXD_DIR/server.crt" "$STATE/server.crt"
server_fp=$(fingerprint "$STATE/server.crt")

# ---------------------------------------------------------------- lxd.env
version=$(lxc version | awk -F': *' '/^Server version/ {print $2}')
write_env_section LXD_ <<EOF
LXD_SOCKET=$SOCKET
LXD_HTTPS_URL=https://$HTTPS_ADDR
LXD_SERVER_CERT=$STATE/server.crt
LXD_SERVER_FINGERPRINT=$server_fp
LXD_CLIENT_CERT=$STATE/client.crt
LXD_CLIENT_KEY=$STATE/client.key
LXD_UNTRUSTED_CERT=$STATE/untrusted.crt
LXD_UNTRUSTED_KEY=$STATE/untrusted.key
LXD_OTHER_CA=$STATE/other-ca.crt
LXD_CONTAINER=$CONTAINER
LXD_IMAGE=$IMAGE
LXD_VERSION=$version
EOF

# ---------------------------------------------------------------- self-check
check "unix socket" '"api_status"' --unix-socket "$SOCKET" http://unix/1.0
check "https trusted" '"auth":"trusted"' --cacert "$STATE/server.crt" \
  --cert "$STATE/client.crt" --key "$STATE/client.key" "https://$HTTPS_ADDR/1.0"
check "https untrusted" '"auth":"untrusted"' --cacert "$STATE/server.crt" \
  --cert "$STATE/untrusted.crt" --key "$STATE/untrusted.key" "https://$HTTPS_ADDR/1.0"

say "ready in ${SECONDS}s (LXD $version, container $CONTAINER running)"
