#!/usr/bin/env bash
# The test world's OIDC identity provider (scripts/idp.mjs, oidc-provider from node_modules) on
# 127.0.0.1:9999, and the Incus of scripts/incus-up.sh set to trust it (oidc.issuer,
# oidc.client.id, oidc.audience; nothing else). LXD 5.0.2 has no OIDC and is left alone.
# Idempotent: a running IdP that answers discovery and an Incus already set are only checked.
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
answers() { curl -fsS -m 2 "$ISSUER/.well-known/openid-configuration" 2>/dev/null | grep -q "\"issuer\":\"$ISSUER\""; }

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

if running && answers; then
  :
else
  if running; then kill "$(cat "$PIDFILE")"; sleep 0.5; fi
  say "starting the IdP on $ISSUER (log: $LOG)"
  cd "$ROOT"
  # Detached (setsid), so the set-up script's end leaves it running, as the daemons.
  IDP_PORT=$PORT IDP_AUDIENCE=$AUDIENCE setsid node scripts/idp.mjs >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 50); do answers && break; sleep 0.2; done
  answers || { echo "idp-up: the IdP did not answer on $ISSUER" >&2; tail -n 20 "$LOG" >&2; exit 1; }
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
