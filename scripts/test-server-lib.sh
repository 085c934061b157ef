# Shared by scripts/lxd-up.sh and scripts/incus-up.sh (sourced, not run): the script's start (its
# options, logging, error report, scratch folder), the busybox image both servers import, the
# client certificates both trust, the one env file the suites read, and stopping a daemon.
# Expects TAG (the script's name in messages), STATE, LOG and DLOG.

say() { echo "$TAG: $*"; }
run() { "$@" >>"$LOG" 2>&1; } # keep noise out of the terminal, but keep it

on_error() {
  local rc=$? line=$1 cmd=$2 where=""
  [ "$BASHPID" = $$ ] || exit "$rc" # in a $(...): let the parent report it, once
  # Inside a helper (run, build_image, ...) also say which line called it.
  [ ${#FUNCNAME[@]} -gt 2 ] && where=" (in ${FUNCNAME[1]}, called from line ${BASH_LINENO[1]})"
  echo "$TAG: FAILED (exit $rc) at line $line$where: $cmd" >&2
  for f in "$LOG" "$DLOG"; do
    if [ -s "$f" ]; then echo "$TAG: --- tail of $f ---" >&2; tail -n 25 "$f" >&2; fi
  done
  exit "$rc"
}

# Options (--restart sets RESTART=1), root check, the state folder and log, the error report, and
# TMP (scratch space for the image build, removed on any exit).
script_start() {
  RESTART=0
  for arg in "$@"; do
    case $arg in
      --restart) RESTART=1 ;;
      *) echo "usage: $0 [--restart]" >&2; exit 2 ;;
    esac
  done
  [ "$(id -u)" = 0 ] || { echo "$TAG: must run as root" >&2; exit 1; }
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  echo "=== $TAG${*:+ $*} at $(date -u +%FT%TZ)" >>"$LOG"
  trap 'on_error $LINENO "$BASH_COMMAND"' ERR
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
}

# SHA-256 of the DER certificate, lowercase hex without colons (what LXD and Incus call the fingerprint).
fingerprint() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

# Self-signed EC P-384 certificate, generated once and shared by both servers' tests.
gen_cert() { # name CN extra-openssl-args...
  local name=$1 cn=$2; shift 2
  [ -s "$STATE/$name.crt" ] && [ -s "$STATE/$name.key" ] && return 0
  say "generating $name.crt (CN=$cn)"
  run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -sha384 -days 3650 \
    -subj "/CN=$cn" -keyout "$STATE/$name.key" -out "$STATE/$name.crt" "$@"
  chmod 600 "$STATE/$name.key"
}
gen_test_certs() {
  gen_cert client lxd-fetch-test -addext extendedKeyUsage=clientAuth -addext basicConstraints=critical,CA:FALSE
  gen_cert untrusted lxd-fetch-untrusted -addext extendedKeyUsage=clientAuth -addext basicConstraints=critical,CA:FALSE
  gen_cert other-ca lxd-fetch-other-ca -addext basicConstraints=critical,CA:TRUE
}

# The busybox image as two reproducible tarballs, $TMP/meta.tar.gz and $TMP/rootfs.tar.gz: the
# same bytes (so the same fingerprint) on every build and for both servers.
build_image_tarballs() { # hostname
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
  echo "$1" >"$rootfs/etc/hostname"
  # Own inittab instead of busybox's built-in default, which also spawns shells on tty2-4
  # (absent in a container: they would fail and respawn forever). One shell on the
  # console keeps the console API usable.
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
}

# Replaces this script's section (the lines starting with PREFIX) of $STATE/lxd.env with stdin,
# keeping the other servers' lines, so every script writes one file and any can run first. The
# sections always come in the order of SECTIONS (LXD, Incus, the cluster), so a rerun of any
# leaves the file unchanged.
SECTIONS=(LXD_ INCUS_ CLUSTER_)
write_env_section() { # PREFIX (one of SECTIONS)
  local prefix=$1 env=$STATE/lxd.env tmpenv mine p
  tmpenv=$(mktemp "$STATE/lxd.env.XXXXXX")
  mine=$(cat)
  for p in "${SECTIONS[@]}"; do
    if [ "$p" = "$prefix" ]; then
      printf '%s\n' "$mine"
    elif [ -f "$env" ]; then
      grep "^$p" "$env" || true
    fi
  done >"$tmpenv"
  if cmp -s "$tmpenv" "$env"; then
    rm -f "$tmpenv"
  else
    chmod 644 "$tmpenv"
    mv -f "$tmpenv" "$env"
    say "wrote $env"
  fi
}

# curl the server and expect a substring of the answer.
check() { # description, expected substring, curl args...
  local what=$1 want=$2 body; shift 2
  body=$(curl -sS --max-time 10 "$@" 2>&1) || true
  if [[ $body != *"$want"* ]]; then
    say "self-check failed: $what: expected '$want' in: ${body:0:300}"
    false
  fi
}

# PIDs of a server's main daemon only (`name` with no subcommand). Its helpers have the same
# name (forkexec, forkstart, forkproxy, ...) and must survive, or running execs/containers die.
daemon_pids() { # process name (lxd, incusd)
  local pid w dir
  for pid in $(pgrep -x "$1" || true); do
    read -ra w < <(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || true
    [ ${#w[@]} -eq 1 ] || [[ ${w[1]:-} == -* ]] || continue
    # Not a daemon of another state folder: the cluster's members are `lxd` too, each with its own
    # LXD_DIR (scripts/lxd-cluster-up.sh); a restart of the main daemon must leave them alone.
    dir=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | sed -n 's/^\(LXD_DIR\|INCUS_DIR\)=//p' | head -n 1)
    if [ -z "$dir" ] || [ "$dir" = /var/lib/lxd ] || [ "$dir" = /var/lib/incus ]; then echo "$pid"; fi
  done
  return 0
}

# Stops the daemon for --restart. SIGTERM stops it but leaves containers running; LXD 5.0.2 (and
# Incus) then wait for every running operation (an exec of `sleep 60` holds it for 60 s), so after
# `grace` seconds (0 = crash it at once) SIGKILL, which also leaves the containers running (and
# orphans the running exec'd processes).
stop_daemon() { # process name, grace seconds
  local name=$1 grace=$2 pids
  pids=$(daemon_pids "$name")
  [ -n "$pids" ] || return 0
  say "restart: stopping daemon (pid $(echo $pids))"
  [ "$grace" = 0 ] || kill -TERM $pids
  for _ in $(seq 1 $((grace * 5))); do [ -z "$(daemon_pids "$name")" ] && break; sleep 0.2; done
  pids=$(daemon_pids "$name")
  if [ -n "$pids" ]; then
    [ "$grace" = 0 ] || say "restart: daemon still up after ${grace}s (running operations?)"
    say "restart: sending SIGKILL"
    kill -KILL $pids
    while [ -n "$(daemon_pids "$name")" ]; do sleep 0.2; done
  fi
}
