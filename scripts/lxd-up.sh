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

RESTART=0
for arg in "$@"; do
  case $arg in
    --restart) RESTART=1 ;;
    *) echo "usage: $0 [--restart]" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "lxd-up: must run as root" >&2; exit 1; }
mkdir -p "$STATE"
chmod 700 "$STATE"
echo "=== lxd-up${*:+ $*} at $(date -u +%FT%TZ)" >>"$LOG"

say() { echo "lxd-up: $*"; }
run() { "$@" >>"$LOG" 2>&1; } # keep noise out of the terminal, but keep it

on_error() {
  local rc=$? line=$1 cmd=$2 where=""
  [ "$BASHPID" = $$ ] || exit "$rc" # in a $(...): let the parent report it, once
  # Inside a helper (run, build_image, ...) also say which line called it.
  [ ${#FUNCNAME[@]} -gt 2 ] && where=" (in ${FUNCNAME[1]}, called from line ${BASH_LINENO[1]})"
  echo "lxd-up: FAILED (exit $rc) at line $line$where: $cmd" >&2
  for f in "$LOG" "$DLOG"; do
    if [ -s "$f" ]; then echo "lxd-up: --- tail of $f ---" >&2; tail -n 25 "$f" >&2; fi
  done
  exit "$rc"
}
trap 'on_error $LINENO "$BASH_COMMAND"' ERR
TMP=$(mktemp -d) # scratch space (image build), removed on any exit
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- packages
missing=()
for p in lxd busybox-static openssl curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt output in $LOG)"
  run apt-get update
  DEBIAN_FRONTEND=noninteractive run apt-get install -y lxd busybox-static openssl curl
fi

# ---------------------------------------------------------------- daemon
daemon_ready() { lxd waitready --timeout 1 >/dev/null 2>&1; }

# PIDs of the main daemon only: "lxd" with no subcommand. Helpers also named lxd
# (forkexec, forkstart, forkproxy, ...) must survive, or running execs/containers die.
daemon_pids() {
  local pid w
  for pid in $(pgrep -x lxd || true); do
    read -ra w < <(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || true
    if [ ${#w[@]} -eq 1 ] || [[ ${w[1]:-} == -* ]]; then echo "$pid"; fi
  done
  return 0
}

if [ "$RESTART" = 1 ]; then
  pids=$(daemon_pids)
  if [ -n "$pids" ]; then
    say "restart: stopping daemon (pid $(echo $pids))"
    # SIGTERM stops the daemon but leaves containers running (only SIGPWR/`lxd shutdown` stop them).
    # LXD 5.0.2 then waits for every running operation (an exec of `sleep 60` holds it for 60 s),
    # so give it LXD_UP_STOP_GRACE seconds (default 10; 0 = crash it) and SIGKILL after that, which
    # also leaves the containers running (and orphans the running exec'd processes).
    grace=${LXD_UP_STOP_GRACE:-10}
    [ "$grace" = 0 ] || kill -TERM $pids
    for _ in $(seq 1 $((grace * 5))); do [ -z "$(daemon_pids)" ] && break; sleep 0.2; done
    pids=$(daemon_pids)
    if [ -n "$pids" ]; then
      [ "$grace" = 0 ] || say "restart: daemon still up after ${grace}s (running operations?)"
      say "restart: sending SIGKILL"
      kill -KILL $pids
      while [ -n "$(daemon_pids)" ]; do sleep 0.2; done
    fi
  fi
fi

if ! daemon_ready; then
  say "starting daemon (log in $DLOG)"
  # setsid -f: own session, no controlling terminal, so it outlives this script and its shell.
  setsid -f lxd --group root >>"$DLOG" 2>&1 </dev/null
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
  local tmp=$TMP rootfs=$TMP/rootfs
  mkdir -p "$rootfs"/{bin,sbin,etc,root,tmp,dev,proc,sys,var,run}
  chmod 1777 "$rootfs/tmp"
  chmod 700 "$rootfs/root"
  cp /bin/busybox "$rootfs/bin/busybox"
  # Applets the tests use, plus some cheap extras; only link what this busybox has.
  local have
  have=$(/bin/busybox --list)
  for a in sh ash cat echo head sleep stty env id pwd true false printf kill wc yes dd sha256sum \
    ls mkdir rm sync tr od base64 seq tail grep test [ [[ ps cp mv ln chmod chown touch date uname \
    hostname whoami sed awk cut sort uniq stat find xargs basename dirname readlink realpath which \
    nproc tee md5sum sha1sum expr timeout hexdump xxd rmdir mktemp du df free uptime top mount umount \
    nohup nice usleep more less vi clear reset tty; do
    if grep -qxF -- "$a" <<<"$have"; then ln -s busybox "$rootfs/bin/$a"; fi
  done
  for a in init halt poweroff reboot; do ln -s ../bin/busybox "$rootfs/sbin/$a"; done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >"$rootfs/etc/group"
  echo "$CONTAINER" >"$rootfs/etc/hostname"
  # Own inittab instead of busybox's built-in default, which also spawns shells on tty2-4
  # (absent in an LXD container: they would fail and respawn forever). One shell on the
  # console keeps `lxc console` / the console API usable.
  cat >"$rootfs/etc/inittab" <<'EOF'
::respawn:-/bin/sh
::shutdown:/bin/sync
EOF
  cat >"$tmp/metadata.yaml" <<'EOF'
architecture: x86_64
creation_date: 1700000000
properties:
  description: lxd-fetch test image (busybox)
  os: busybox
  release: static
EOF
  # Reproducible tarballs (fixed mtime/owner/order, gzip -n): same image fingerprint every build.
  local tarflags=(--sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner)
  tar "${tarflags[@]}" -C "$tmp" -cf - metadata.yaml | gzip -n >"$tmp/meta.tar.gz"
  tar "${tarflags[@]}" -C "$rootfs" -cf - . | gzip -n >"$tmp/rootfs.tar.gz"
  run lxc image import "$tmp/meta.tar.gz" "$tmp/rootfs.tar.gz" --alias "$IMAGE"
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
# SHA-256 of the DER certificate, lowercase hex without colons (what LXD calls the fingerprint).
fingerprint() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# Self-signed EC P-384 certificate, generated once.
gen_cert() { # name CN extra-openssl-args...
  local name=$1 cn=$2; shift 2
  [ -s "$STATE/$name.crt" ] && [ -s "$STATE/$name.key" ] && return 0
  say "generating $name.crt (CN=$cn)"
  run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -sha384 -days 3650 \
    -subj "/CN=$cn" -keyout "$STATE/$name.key" -out "$STATE/$name.crt" "$@"
  chmod 600 "$STATE/$name.key"
}
gen_cert client lxd-fetch-test -addext extendedKeyUsage=clientAuth -addext basicConstraints=critical,CA:FALSE
gen_cert untrusted lxd-fetch-untrusted -addext extendedKeyUsage=clientAuth -addext basicConstraints=critical,CA:FALSE
gen_cert other-ca lxd-fetch-other-ca -addext basicConstraints=critical,CA:TRUE

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
tmpenv=$(mktemp "$STATE/lxd.env.XXXXXX")
cat >"$tmpenv" <<EOF
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
if cmp -s "$tmpenv" "$STATE/lxd.env"; then
  rm -f "$tmpenv"
else
  chmod 644 "$tmpenv"
  mv -f "$tmpenv" "$STATE/lxd.env"
  say "wrote $STATE/lxd.env"
fi

# ---------------------------------------------------------------- self-check
check() { # description, expected substring, curl args...
  local what=$1 want=$2 body; shift 2
  body=$(curl -sS --max-time 10 "$@" 2>&1) || true
  if [[ $body != *"$want"* ]]; then
    say "self-check failed: $what: expected '$want' in: ${body:0:300}"
    false
  fi
}
check "unix socket" '"api_status"' --unix-socket "$SOCKET" http://unix/1.0
check "https trusted" '"auth":"trusted"' --cacert "$STATE/server.crt" \
  --cert "$STATE/client.crt" --key "$STATE/client.key" "https://$HTTPS_ADDR/1.0"
check "https untrusted" '"auth":"untrusted"' --cacert "$STATE/server.crt" \
  --cert "$STATE/untrusted.crt" --key "$STATE/untrusted.key" "https://$HTTPS_ADDR/1.0"

say "ready in ${SECONDS}s (LXD $version, container $CONTAINER running)"
