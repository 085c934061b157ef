#!/usr/bin/env bash
# The test world's OIDC identity provider (scripts/idp.mjs, oidc-provider from node_modules) on
# 127.0.0.1:9999, and the Incus of scripts/incus-up.sh set to trust it (oidc.issuer,
# oidc.client.id, oidc.audience; nothing else). LXD 5.0.2 has no OIDC and is left alone.
# Idempotent: an IdP of this scripts/idp.mjs that answers discovery and an Incus already set are
# only checked; an IdP of another version (an older checkout's) is restarted from this one.
# Needs `npm ci` first (oidc-provider is a devDependency) and the Incus of incus-up.sh.
#   bash scripts/idp-up.sh           # ensure both
#   bash scripts/idp-up.sh --stop    # stop the IdP (Incus keeps its settings)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$ROOT/.lxd-test
PIDFILE=$STATE/idp.pid
LOG=$STATE/idp.log
PORT=9999
ISSUER=http://127.0.0.1:$PORT
AUDIENCE=https://127.0.0.1:8444 # the Incus HTTPS listener of incus-up.sh
CLIENT_ID=incus
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
unset INCUS_SOCKET INCUS_REMOTE
export INCUS_DIR=/var/lib/incus

say() { echo "idp-up: $*"; }
mkdir -p "$STATE"
chmod 700 "$STATE"

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
discovery() { curl -fsS -m 2 "$ISSUER/.well-known/openid-configuration" 2>/dev/null; }
answers() { [[ "$(discovery)" == *"\"issuer\":\"$ISSUER\""* ]]; }
# scripts/idp.mjs names its own SHA-256 in the discovery document: an IdP started from another
# version of it (an older checkout's) is restarted.
VERSION=$(sha256sum "$ROOT/scripts/idp.mjs" | cut -d' ' -f1)
current() { [[ "$(discovery)" == *"\"lxd_fetch_idp\":\"$VERSION\""* ]]; }

if [ "${1:-}" = --stop ]; then
  if running; then kill "$(cat "$PIDFILE")" && say "stopped"; fi
  rm -f "$PIDFILE"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: $0 [--stop]" >&2; exit 2; }

if [ ! -f "$ROOT/node_modules/oidc-provider/package.json" ]; then
  echo "idp-up: oidc-provider is missing: run npm ci first" >&2
  exit 1
fi

if answers && current; then
  : # an IdP of this scripts/idp.mjs answers (this checkout's or another's)
else
  if running; then kill "$(cat "$PIDFILE")"; sleep 0.5; fi
  if answers; then
    # Another checkout's IdP from another version of scripts/idp.mjs (its pid file is there):
    # the port is one, so it gives way to this version.
    other=$(ss -ltnpH "sport = :$PORT" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
    if [ -n "$other" ] && tr '\0' ' ' <"/proc/$other/cmdline" | grep -q 'scripts/idp\.mjs'; then
      say "restarting the IdP of pid $other (another scripts/idp.mjs: $(readlink "/proc/$other/cwd"))"
      kill "$other"
      for _ in $(seq 1 25); do answers || break; sleep 0.2; done
    else
      echo "idp-up: $ISSUER answers but is not an IdP of scripts/idp.mjs; stop it first" >&2
      exit 1
    fi
  fi
  say "starting the IdP on $ISSUER (log: $LOG)"
  cd "$ROOT"
  # Detached (setsid), so the set-up script's end leaves it running, as the daemons.
  IDP_PORT=$PORT IDP_AUDIENCE=$AUDIENCE setsid node scripts/idp.mjs >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 50); do answers && current && break; sleep 0.2; done
  { answers && current; } || { echo "idp-up: the IdP did not answer on $ISSUER" >&2; tail -n 20 "$LOG" >&2; exit 1; }
fi

# Incus trusts it: only the three oidc.* keys, and only when they differ.
if ! command -v incus >/dev/null 2>&1; then
  say "no incus here: the IdP runs, Incus not set"
  exit 0
fi
want="$ISSUER $CLIENT_ID $AUDIENCE"
have="$(incus config get oidc.issuer) $(incus config get oidc.client.id) $(incus config get oidc.audience)"
if [ "$have" != "$want" ]; then
  incus config set oidc.issuer="$ISSUER" oidc.client.id="$CLIENT_ID" oidc.audience="$AUDIENCE"
  say "Incus trusts $ISSUER (client $CLIENT_ID, audience $AUDIENCE)"
fi
