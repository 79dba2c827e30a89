#!/usr/bin/env bash
# A real container registry for the tests (Debian's docker-registry, distribution 2.8): two
# listeners over ONE storage folder, so an image pushed through either is pulled through both.
#
#   scripts/registry.sh up       start both listeners (idempotent)
#   scripts/registry.sh down     stop them and remove the storage (idempotent)
#   scripts/registry.sh status   exit 0 only when both answer
#
#   127.0.0.1:5001   where THIS machine's daemon pushes and pulls: a daemon treats only loopback
#                    registries as plain HTTP unless configured, and the main daemon here is never
#                    reconfigured or restarted for the tests.
#   10.200.0.1:5001  the same registry as the remote daemon of scripts/remote-docker.sh sees it (it
#                    is started with --insecure-registry 10.200.0.1:5001); traffic crosses the
#                    shaped link. Needs pit0, so run `scripts/remote-docker.sh up` first; without it
#                    only the loopback listener starts.
#
# So an image pushed as 127.0.0.1:5001/app:1 is pulled on the remote as 10.200.0.1:5001/app:1
# (same repository, same digest). Both instances run without a blob cache, since each must see
# what the other wrote or deleted; deletes are enabled.
set -euo pipefail

RUN_DIR=/run/pitstop-registry
STORE=/tmp/pitstop-registry
PORT=5001
LISTENERS=(loopback:127.0.0.1 link:10.200.0.1)
BIN=/usr/bin/docker-registry

say() { echo "registry: $*" >&2; }
die() { say "$*"; exit 1; }

# A pid that still runs: a zombie waiting for this machine's init to reap it has stopped already.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

pid_of() {
  local file="$RUN_DIR/$1.pid" pid
  [ -s "$file" ] || return 1
  pid=$(cat "$file")
  alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = docker-registry ] || return 1
  echo "$pid"
}

answers() { curl -fsS -m 2 -o /dev/null "http://$1:$PORT/v2/" 2>/dev/null; }

has_addr() { [ "$1" = 127.0.0.1 ] || ip -o addr show | grep -q "inet $1/"; }

start() {
  local name=$1 addr=$2 i
  if ! pid_of "$name" >/dev/null; then
    cat >"$RUN_DIR/$name.yml" <<EOF
version: 0.1
log: { level: warn, accesslog: { disabled: true }, fields: { service: pitstop-test-registry-$name } }
storage:
  filesystem: { rootdirectory: $STORE }
  delete: { enabled: true }
  maintenance: { uploadpurging: { enabled: false } }
http:
  addr: $addr:$PORT
  secret: pitstop-test-registry
EOF
    setsid "$BIN" serve "$RUN_DIR/$name.yml" </dev/null >"$RUN_DIR/$name.log" 2>&1 &
    echo $! >"$RUN_DIR/$name.pid"
  fi
  for i in $(seq 1 40); do
    answers "$addr" && return 0
    pid_of "$name" >/dev/null || break
    sleep 0.25
  done
  tail -20 "$RUN_DIR/$name.log" >&2 || true
  die "the $name listener does not answer at http://$addr:$PORT/v2/"
}

up() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ -x "$BIN" ] || die "$BIN is missing (apt-get install docker-registry)"
  mkdir -p "$RUN_DIR" "$STORE"
  local l
  for l in "${LISTENERS[@]}"; do
    if has_addr "${l#*:}"; then
      start "${l%%:*}" "${l#*:}"
    else
      say "${l#*:} is not on this machine (scripts/remote-docker.sh up makes it): ${l%%:*} listener not started"
    fi
  done
  say "up: push to 127.0.0.1:$PORT from this machine, pull from 10.200.0.1:$PORT on the remote; storage $STORE"
}

down() {
  local l pid pids=() i running
  for l in "${LISTENERS[@]}"; do
    if pid=$(pid_of "${l%%:*}"); then pids+=("$pid"); fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    # The registry takes ~2 s to drain on SIGTERM; its storage is about to go, so don't wait long.
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for i in $(seq 1 10); do
      running=0
      for pid in "${pids[@]}"; do if alive "$pid"; then running=1; fi; done
      [ "$running" = 1 ] || break
      sleep 0.05
    done
    for pid in "${pids[@]}"; do if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi; done
    for pid in "${pids[@]}"; do while alive "$pid"; do sleep 0.02; done; done
  fi
  rm -rf "$RUN_DIR" "$STORE"
  say "down"
}

status() {
  local ok=0 l
  for l in "${LISTENERS[@]}"; do
    # has_addr first: an address not on this machine would be looked for on the real network.
    if has_addr "${l#*:}" && answers "${l#*:}"; then
      echo "${l%%:*}	http://${l#*:}:$PORT/v2/ answers (pid $(pid_of "${l%%:*}" || echo '?'))"
    else
      echo "${l%%:*}	http://${l#*:}:$PORT/v2/ does not answer"
      ok=1
    fi
  done
  echo "storage	$STORE"
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
