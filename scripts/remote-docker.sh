#!/usr/bin/env bash
# A "remote" Docker host for the tests: a second dockerd in its own network namespace, reached
# from this machine over a veth pair shaped to 20 Mbit/s each way, like a dev VM or a cloud host.
#
#   scripts/remote-docker.sh up       create the namespace, link and daemon (idempotent)
#   scripts/remote-docker.sh down     stop the daemon, remove namespace, link and data (idempotent)
#   scripts/remote-docker.sh status   say what is there; exit 0 only when the daemon answers
#
# Addresses (the project's own test hosts; nothing else is ever contacted):
#   10.200.0.1/24  pit0 on this machine (the registry of scripts/registry.sh listens here)
#   10.200.0.2/24  pit1 inside netns pitstop-remote; the daemon listens on tcp://10.200.0.2:2375
#                  (plain HTTP, no TLS) and on unix:///run/pitstop-remote/docker.sock (not shaped)
#
# The daemon runs in the namespace through `nsenter --net` (not `ip netns exec`, which remounts
# /sys and hides the cgroups), with its own data root, exec root, pidfile, config file, containerd
# namespace and cgroup parent, so it shares nothing with the main daemon. It keeps a default bridge
# and iptables, both inside the namespace only: per-project bridge networks and published ports work
# there, and a port published on the remote is reached from here at 10.200.0.2:<port>.
# Never run a second dockerd in this machine's own network namespace: it rewires docker0.
set -euo pipefail

NETNS=pitstop-remote
HOST_IF=pit0
REMOTE_IF=pit1
HOST_ADDR=10.200.0.1
REMOTE_ADDR=10.200.0.2
PREFIX=24
RATE=20mbit
TCP_PORT=2375
RUN_DIR=/run/pitstop-remote
DATA_DIR=/var/lib/pitstop-remote
SOCK="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/dockerd.pid"
LOG="$RUN_DIR/dockerd.log"
CONFIG="$RUN_DIR/daemon.json"
REGISTRY="$HOST_ADDR:5001"
# Container networks inside the namespace; distinct from the main daemon's 172.17+ so an address
# seen in a test says which daemon it belongs to. They are never routed outside the namespace.
BIP=10.201.0.1/24
POOL=base=10.202.0.0/16,size=24
DOCKER_CLI=/usr/bin/docker

say() { echo "remote-docker: $*" >&2; }
die() { say "$*"; exit 1; }
in_ns() { ip netns exec "$NETNS" "$@"; }
remote() { DOCKER_HOST="unix://$SOCK" "$DOCKER_CLI" "$@"; }
tcp_remote() { DOCKER_HOST="tcp://$REMOTE_ADDR:$TCP_PORT" "$DOCKER_CLI" "$@"; }

netns_exists() { [ -e "/var/run/netns/$NETNS" ] && ip netns list | grep -qw "^$NETNS"; }

# The daemon's pid when the pidfile names a live dockerd, else nothing.
daemon_pid() {
  [ -s "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

# Whether the daemon answers at this DOCKER_HOST (the CLI, so the check is the one a user makes).
answers() { DOCKER_HOST=$1 timeout 5 "$DOCKER_CLI" info --format '{{.ID}}' >/dev/null 2>&1; }

up_network() {
  if ! netns_exists; then
    # Refuse to shadow an address this machine already uses elsewhere.
    if ip -o addr show | grep -v " $HOST_IF " | grep -q "inet 10\.200\.0\."; then
      die "10.200.0.0/24 is already used on this machine: $(ip -o addr show | grep 'inet 10\.200\.0\.')"
    fi
    ip netns add "$NETNS"
  fi
  # The host end exists but its peer is not in our namespace (half-made): start the pair again.
  if ip link show "$HOST_IF" >/dev/null 2>&1 && ! in_ns ip link show "$REMOTE_IF" >/dev/null 2>&1; then
    ip link del "$HOST_IF"
  fi
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name "$REMOTE_IF" netns "$NETNS"
  fi
  ip addr replace "$HOST_ADDR/$PREFIX" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  in_ns ip addr replace "$REMOTE_ADDR/$PREFIX" dev "$REMOTE_IF"
  in_ns ip link set "$REMOTE_IF" up
  in_ns ip link set lo up
  # 20 Mbit/s each way (netem is not available in this kernel; tbf is).
  tc qdisc replace dev "$HOST_IF" root tbf rate "$RATE" burst 32kbit latency 400ms
  in_ns tc qdisc replace dev "$REMOTE_IF" root tbf rate "$RATE" burst 32kbit latency 400ms
}

up_daemon() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  if daemon_pid >/dev/null; then
    :
  else
    rm -f "$PIDFILE" "$SOCK"
    # Our own (empty) config file: /etc/docker/daemon.json belongs to the main daemon.
    [ -s "$CONFIG" ] || echo '{}' >"$CONFIG"
    # setsid: the daemon outlives this script and CI's shell, and gets no terminal signals.
    setsid nsenter --net="/var/run/netns/$NETNS" /usr/sbin/dockerd \
      --config-file "$CONFIG" \
      --data-root "$DATA_DIR" \
      --exec-root "$RUN_DIR/exec" \
      --pidfile "$PIDFILE" \
      -H "unix://$SOCK" -H "tcp://$REMOTE_ADDR:$TCP_PORT" --tls=false \
      --containerd-namespace pitstop-remote \
      --containerd-plugins-namespace pitstop-remote-plugins \
      --cgroup-parent /pitstop-remote \
      --bip "$BIP" --default-address-pool "$POOL" \
      --insecure-registry "$REGISTRY" \
      --shutdown-timeout 2 \
      </dev/null >"$LOG" 2>&1 &
  fi
  local i
  for i in $(seq 1 120); do
    answers "tcp://$REMOTE_ADDR:$TCP_PORT" && return 0
    if [ "$i" -gt 4 ] && ! daemon_pid >/dev/null; then
      tail -30 "$LOG" >&2 || true
      die "dockerd in $NETNS exited"
    fi
    sleep 0.25
  done
  tail -30 "$LOG" >&2 || true
  die "dockerd in $NETNS does not answer at tcp://$REMOTE_ADDR:$TCP_PORT"
}

up() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  [ -x /usr/sbin/dockerd ] || die "/usr/sbin/dockerd is missing (apt-get install docker.io)"
  command -v nsenter >/dev/null || die "nsenter is missing (util-linux)"
  up_network
  up_daemon
  say "up: DOCKER_HOST=tcp://$REMOTE_ADDR:$TCP_PORT (or unix://$SOCK), link $RATE each way"
}

# Processes still in the namespace (the daemon, its containerd, shims, --network host containers).
ns_pids() { netns_exists && ip netns pids "$NETNS" 2>/dev/null || true; }

stop_daemon() {
  local pid i
  if pid=$(daemon_pid); then
    # Containers first, quickly, so the daemon's own shutdown has nothing to wait for.
    if answers "unix://$SOCK"; then
      local ids
      ids=$(remote ps -aq 2>/dev/null || true)
      [ -n "$ids" ] && remote rm -f $ids >/dev/null 2>&1 || true
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 80); do [ -d "/proc/$pid" ] || break; sleep 0.25; done
    if [ -d "/proc/$pid" ]; then
      say "dockerd $pid did not stop in 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Whatever the daemon left in the namespace (only ever our own processes live there).
  local left
  left=$(ns_pids)
  if [ -n "$left" ]; then
    kill -TERM $left 2>/dev/null || true
    sleep 1
    left=$(ns_pids)
    [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
  fi
}

unmount_under() {
  local dir=$1 m
  # Deepest first.
  findmnt -rn -o TARGET | grep -E "^$dir(/|$)" | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

down() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  stop_daemon
  unmount_under "$RUN_DIR"
  unmount_under "$DATA_DIR"
  if netns_exists; then ip netns del "$NETNS"; fi
  # Deleting the namespace takes pit1 and with it pit0; a pit0 left alone is removed too.
  if ip link show "$HOST_IF" >/dev/null 2>&1; then ip link del "$HOST_IF"; fi
  rm -rf "$RUN_DIR" "$DATA_DIR"
  say "down"
}

status() {
  local ok=0 pid
  if netns_exists; then echo "netns    $NETNS"; else echo "netns    (none)"; ok=1; fi
  if ip link show "$HOST_IF" >/dev/null 2>&1; then
    echo "link     $HOST_IF $(ip -br addr show "$HOST_IF" | awk '{print $2, $3}')"
    echo "shaping  $(tc qdisc show dev "$HOST_IF" | head -1)"
  else
    echo "link     (none)"
    ok=1
  fi
  if pid=$(daemon_pid); then echo "dockerd  pid $pid"; else echo "dockerd  (not running)"; ok=1; fi
  if answers "tcp://$REMOTE_ADDR:$TCP_PORT"; then
    echo "answers  tcp://$REMOTE_ADDR:$TCP_PORT ($(tcp_remote version --format '{{.Server.Version}}'))"
  else
    echo "answers  no"
    ok=1
  fi
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
