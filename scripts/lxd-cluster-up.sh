#!/usr/bin/env bash
# Bring up a real 3-member LXD 5.0.2 cluster (dqlite) beside the main daemon for the cluster suite:
# members m1, m2, m3 on https://127.0.1.1-3:8443, each its own daemon with its own LXD_DIR under
# $BASE, bootstrapped and joined by preseed and join tokens; the busybox image, one running
# container per member (lxdfetch-m1..3), the client certificate trusted, and the CLUSTER_ section
# of $ROOT/.lxd-test/lxd.env. Idempotent: a second run only checks (about a second).
#   bash scripts/lxd-cluster-up.sh              # ensure the cluster is up
#   bash scripts/lxd-cluster-up.sh --stop m1    # SIGTERM one member's daemon (SIGKILL after 10 s)
#   bash scripts/lxd-cluster-up.sh --crash m1   # SIGKILL one member's daemon at once
#   bash scripts/lxd-cluster-up.sh --start m1   # start it again and wait until it answers
# Needs root and the Debian `lxd` package (scripts/lxd-up.sh installs it). The main daemon is never
# touched: every member has its own LXD_DIR (so its own socket, database, storage, logs and cache:
# LXD puts logs and cache under LXD_DIR when it is set), its own addresses (127.0.1.x; the main one
# keeps 127.0.0.1:8443), and its own container names (liblxc names cgroups after containers).
set -euo pipefail
set -E # let the ERR trap fire inside functions too

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$ROOT/.lxd-test
LOG=$STATE/cluster-setup.log # lxc noise
DLOG=$STATE/cluster-m1.log   # m1's daemon output (each member has cluster-mN.log)
BASE=/var/lib/lxd-fetch-cluster
MEMBERS=(m1 m2 m3)
IMAGE=lxdfetch-busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
unset LXD_DIR # every lxc/lxd call below names its member's LXD_DIR itself

TAG=lxd-cluster-up
# shellcheck source=scripts/test-server-lib.sh
. "$ROOT/scripts/test-server-lib.sh"

usage() { echo "usage: $0 [--stop|--crash|--start m1|m2|m3]" >&2; exit 2; }
ACTION=up
TARGET=
case ${1:-} in
  "") ;;
  --stop | --crash | --start)
    [ $# = 2 ] && [[ " ${MEMBERS[*]} " == *" $2 "* ]] || usage
    ACTION=${1#--}
    TARGET=$2
    ;;
  *) usage ;;
esac
script_start
echo "=== $TAG: $ACTION${TARGET:+ $TARGET}" >>"$LOG"

index() { echo "${1#m}"; }                  # m2 -> 2
addr() { echo "127.0.1.$(index "$1"):8443"; } # m2 -> 127.0.1.2:8443
dir() { echo "$BASE/$1"; }
container() { echo "lxdfetch-$1"; }
# Runs lxc/lxd against one member. `|| return`: a failure is reported by the caller's ERR trap,
# outside any redirection of the call (else the report would land in $LOG).
on() { local m=$1; shift; LXD_DIR=$(dir "$m") "$@" || return; }

# ---------------------------------------------------------------- member daemons
# The member's daemon PID, from its pid file, if that process is still an lxd of this LXD_DIR
# (never a PID the kernel reused, never the main daemon or another member).
member_pid() {
  local m=$1 pid
  pid=$(cat "$(dir "$m")/daemon.pid" 2>/dev/null) || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = lxd ] || return 0
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "LXD_DIR=$(dir "$m")" && echo "$pid"
  return 0
}
member_ready() { on "$1" lxd waitready --timeout 1 >/dev/null 2>&1; }

# Starts the daemon (detached, own session) unless it runs; does not wait: a member of a cluster
# whose database has no quorum yet only gets ready once enough members run.
launch_member() {
  local m=$1 d
  d=$(dir "$m")
  [ -z "$(member_pid "$m")" ] || return 0
  mkdir -p "$d"
  chmod 711 "$d"
  say "starting $m (log in $STATE/cluster-$m.log)"
  # The shell writes its own PID and execs lxd in place, so the pid file names the daemon.
  # From / (see lxd-up.sh): a daemon's working directory is its children's.
  (cd / && LXD_DIR=$d setsid -f bash -c 'echo $$ >"$LXD_DIR/daemon.pid"; exec lxd --group root' \
    >>"$STATE/cluster-$m.log" 2>&1 </dev/null)
}
wait_member() { on "$1" lxd waitready --timeout 90; }

# Running, not a zombie waiting for a PID 1 that may reap late (no systemd here).
alive() { [ -d "/proc/$1" ] && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }

stop_member() { # member, grace seconds (0 = SIGKILL at once: a crash)
  local m=$1 grace=$2 pid
  pid=$(member_pid "$m")
  [ -n "$pid" ] || { say "$m is not running"; return 0; }
  if [ "$grace" = 0 ]; then
    say "crashing $m (SIGKILL pid $pid)"
    kill -KILL "$pid"
  else
    say "stopping $m (SIGTERM pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 $((grace * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "$m still up after ${grace}s: SIGKILL"
      kill -KILL "$pid"
    fi
  fi
  while alive "$pid"; do sleep 0.05; done
  rm -f "$(dir "$m")/daemon.pid"
}

case $ACTION in
  stop) stop_member "$TARGET" 10; exit 0 ;;
  crash) stop_member "$TARGET" 0; exit 0 ;;
  start)
    launch_member "$TARGET"
    wait_member "$TARGET"
    say "$TARGET ready in ${SECONDS}s"
    exit 0
    ;;
esac

command -v lxd >/dev/null || { say "the lxd package is missing: run scripts/lxd-up.sh first"; false; }
gen_test_certs

# ---------------------------------------------------------------- daemons
# Members that have a database start together (a lone member of a cluster waits for quorum).
for m in "${MEMBERS[@]}"; do
  if [ -d "$(dir "$m")/database" ] || [ "$m" = m1 ]; then launch_member "$m"; fi
done
for m in "${MEMBERS[@]}"; do
  if [ -n "$(member_pid "$m")" ]; then wait_member "$m"; fi
done

# ---------------------------------------------------------------- bootstrap m1
clustered() { on m1 lxc cluster list --format csv 2>/dev/null; }
if ! members=$(clustered); then
  say "bootstrapping the cluster on m1 ($(addr m1))"
  on m1 lxd init --preseed >>"$LOG" 2>&1 <<EOF
config:
  core.https_address: $(addr m1)
  cluster.https_address: $(addr m1)
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root: {path: /, pool: default, type: disk}
cluster:
  server_name: m1
  enabled: true
EOF
  members=$(clustered)
fi

# ---------------------------------------------------------------- cluster certificate
# Members serve the cluster certificate. LXD makes one naming this machine's host name and
# interface addresses, which the members' 127.0.1.x addresses are not, so a client could only pin
# it. Ours names every member's address, and a DNS name first (LXD's own client verifies members
# by the first DNS name). LXD refuses one placed before bootstrap, so it replaces LXD's after.
if [ ! -s "$STATE/cluster.crt" ] || [ ! -s "$STATE/cluster.key" ]; then
  sans=DNS:lxd-fetch-cluster
  for m in "${MEMBERS[@]}"; do sans+=",IP:$(addr "$m" | cut -d: -f1)"; done
  gen_cert cluster lxd-fetch-cluster -addext "subjectAltName=$sans" \
    -addext extendedKeyUsage=serverAuth,clientAuth -addext basicConstraints=critical,CA:FALSE
fi
if ! cmp -s "$(dir m1)/cluster.crt" "$STATE/cluster.crt"; then
  say "installing the cluster certificate (members' addresses in its names)"
  run on m1 lxc cluster update-certificate "$STATE/cluster.crt" "$STATE/cluster.key"
fi

# ---------------------------------------------------------------- join m2, m3
join() { # member
  local m=$1 d token
  d=$(dir "$m")
  # A member left half-joined by an earlier failed run starts over from an empty LXD_DIR.
  if [ -d "$d/database" ]; then
    say "$m has a database but is not a member: resetting it"
    stop_member "$m" 10
    rm -rf "$d"
  fi
  launch_member "$m"
  wait_member "$m"
  on m1 lxc cluster revoke-token "$m" >>"$LOG" 2>&1 || true # a token left by an earlier run
  token=$(on m1 lxc cluster add "$m" 2>>"$LOG" | tail -n 1)
  say "joining $m ($(addr "$m"))"
  on "$m" lxd init --preseed >>"$LOG" 2>&1 <<EOF
cluster:
  enabled: true
  server_name: $m
  server_address: $(addr "$m")
  cluster_address: $(addr m1)
  cluster_token: $token
  member_config:
  - {entity: storage-pool, name: default, key: source, value: ""}
EOF
}
for m in m2 m3; do
  grep -q "^$m," <<<"$members" || join "$m"
done
online() { grep -q "^$1,https://$(addr "$1"),.*,ONLINE," <<<"$members"; }
members=$(clustered)
# A running member the others see OFFLINE (seen after the cluster certificate was replaced and a
# member crashed: heartbeats stopped until the daemons restarted) is restarted once.
for m in "${MEMBERS[@]}"; do
  online "$m" && continue
  say "$m is not ONLINE; restarting it"
  stop_member "$m" 0
  launch_member "$m"
  wait_member "$m"
done
for _ in $(seq 1 50); do
  members=$(clustered)
  all=1
  for m in "${MEMBERS[@]}"; do online "$m" || all=0; done
  [ "$all" = 1 ] && break
  sleep 0.2
done
for m in "${MEMBERS[@]}"; do
  online "$m" || { say "$m is not ONLINE: $members"; false; }
done

# ---------------------------------------------------------------- image (cluster-wide)
if ! on m1 lxc image info "$IMAGE" >/dev/null 2>&1; then
  say "building and importing image '$IMAGE'"
  build_image_tarballs lxdfetch-cluster
  run on m1 lxc image import "$TMP/meta.tar.gz" "$TMP/rootfs.tar.gz" --alias "$IMAGE"
fi

# ---------------------------------------------------------------- one container per member
listing=$(on m1 lxc list -c nsL --format csv)
for m in "${MEMBERS[@]}"; do
  c=$(container "$m")
  row=$(grep "^$c," <<<"$listing" || true)
  if [ -z "$row" ]; then
    say "launching '$c' on $m"
    run on m1 lxc launch "$IMAGE" "$c" --target "$m"
  elif [ "$row" != "$c,RUNNING,$m" ]; then
    say "starting '$c' (was ${row#*,})"
    run on m1 lxc start "$c"
  fi
done
listing=$(on m1 lxc list -c nsL --format csv)
for m in "${MEMBERS[@]}"; do
  c=$(container "$m")
  grep -qxF "$c,RUNNING,$m" <<<"$listing" || { say "container '$c' is not RUNNING on $m: $listing"; false; }
done

# ---------------------------------------------------------------- client certificate
client_fp=$(fingerprint "$STATE/client.crt")
if ! on m1 lxc query "/1.0/certificates/$client_fp" >/dev/null 2>&1; then
  say "trusting client.crt ($client_fp)"
  run on m1 lxc config trust add "$STATE/client.crt"
fi

# ---------------------------------------------------------------- lxd.env (CLUSTER_ section)
join_by() { local IFS=,; echo "$*"; }
urls=() sockets=() containers=()
for m in "${MEMBERS[@]}"; do
  urls+=("https://$(addr "$m")")
  sockets+=("$(dir "$m")/unix.socket")
  containers+=("$(container "$m")")
done
version=$(on m1 lxc version | awk -F': *' '/^Server version/ {print $2}')
write_env_section CLUSTER_ <<EOF
CLUSTER_MEMBERS=$(join_by "${MEMBERS[@]}")
CLUSTER_URLS=$(join_by "${urls[@]}")
CLUSTER_SOCKETS=$(join_by "${sockets[@]}")
CLUSTER_CONTAINERS=$(join_by "${containers[@]}")
CLUSTER_SERVER_CERT=$STATE/cluster.crt
CLUSTER_SERVER_FINGERPRINT=$(fingerprint "$STATE/cluster.crt")
CLUSTER_CLIENT_CERT=$STATE/client.crt
CLUSTER_CLIENT_KEY=$STATE/client.key
CLUSTER_IMAGE=$IMAGE
CLUSTER_VERSION=$version
EOF

# ---------------------------------------------------------------- self-check
for m in "${MEMBERS[@]}"; do
  check "$m https trusted" '"auth":"trusted"' --cacert "$STATE/cluster.crt" \
    --cert "$STATE/client.crt" --key "$STATE/client.key" "https://$(addr "$m")/1.0"
done

say "ready in ${SECONDS}s (LXD $version cluster: ${MEMBERS[*]}, containers $(join_by "${containers[@]}") running)"
