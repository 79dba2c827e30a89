#!/usr/bin/env bash
# A "remote" Docker host for the tests: a second dockerd in its own network namespace, reached
# from this machine over a veth pair shaped to 20 Mbit/s each way, like a dev VM or a cloud host.
#
#   scripts/remote-docker.sh up       create the namespace, link and daemon (idempotent)
#   scripts/remote-docker.sh down     stop the daemon, remove namespace, link and data (idempotent)
#   scripts/remote-docker.sh status   say what is there; exit 0 only when the daemon answers
#   scripts/remote-docker.sh link cut|blackhole|restore|rate RATE   faults on the link (see link())
#
# Addresses (the project's own test hosts; nothing else is ever contacted):
#   10.200.0.1/24  pit0 on this machine (the registry of scripts/registry.sh listens here)
#   10.200.0.2/24  pit1 inside netns pitstop-remote; the daemon listens on tcp://10.200.0.2:2375
#                  (plain HTTP, no TLS) and on unix:///run/pitstop-remote/docker.sock (not shaped)
#   10.201.0.0/24, 10.202.0.0/16   the remote's container networks, inside the namespace only
# The namespace has no default route, and this machine keeps 10.200.0.0/14 to itself with an
# unreachable route, so nothing aimed at these addresses leaves for the real network, even with
# the link cut.
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
# An "unreachable" route for all of 10.200.0.0/14 on this machine (see up_network).
GUARD=10.200.0.0/14
GUARD_METRIC=4000
# Container networks inside the namespace; distinct from the main daemon's 172.17+ so an address
# seen in a test says which daemon it belongs to. They are never routed outside the namespace.
BIP=10.201.0.1/24
POOL=base=10.202.0.0/16,size=24
DOCKER_CLI=/usr/bin/docker

say() { echo "remote-docker: $*" >&2; }
die() { say "$*"; exit 1; }

# A pid that still runs: a zombie waiting for this machine's init to reap it has stopped already.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
in_ns() { nsenter --net="/var/run/netns/$NETNS" "$@"; }
remote() { DOCKER_HOST="unix://$SOCK" "$DOCKER_CLI" "$@"; }
tcp_remote() { DOCKER_HOST="tcp://$REMOTE_ADDR:$TCP_PORT" "$DOCKER_CLI" "$@"; }

netns_exists() { [ -e "/var/run/netns/$NETNS" ] && ip netns list | grep -qw "^$NETNS"; }

# The daemon's pid when the pidfile names a live dockerd, else nothing.
daemon_pid() {
  [ -s "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

# Whether the daemon answers at this DOCKER_HOST (the CLI, so the check is the one a user makes).
answers() { DOCKER_HOST=$1 timeout 5 "$DOCKER_CLI" info --format '{{.ID}}' >/dev/null 2>&1; }

up_network() {
  if ! netns_exists; then
    # Refuse to shadow addresses or routes this machine already uses elsewhere.
    local used
    used=$(ip -o addr show | grep -v " $HOST_IF " | grep -E "inet 10\.20[0-3]\." || true)
    used+=$(ip route show | grep -E "^10\.20[0-3]\." | grep -vE "dev $HOST_IF |^unreachable $GUARD " || true)
    [ -z "$used" ] || die "10.200.0.0/14 is already in use on this machine: $used"
    ip netns add "$NETNS"
  fi
  # Traffic for the test ranges (10.200-10.203: the link, and the container networks inside the
  # namespace) never leaves by the default route: while pit0 is up its /24 wins; when a fault test
  # takes pit0 down, or something asks for a remote container's own address, this answers
  # "unreachable" at once instead of sending the packet to the real network.
  ip route replace unreachable "$GUARD" metric "$GUARD_METRIC"
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
  link_restore
}

# 20 Mbit/s each way (netem is not available in this kernel; tbf is).
shape() {
  tc qdisc replace dev "$HOST_IF" root tbf rate "$1" burst 32kbit latency 400ms
  in_ns tc qdisc replace dev "$REMOTE_IF" root tbf rate "$1" burst 32kbit latency 400ms
}

# Faults on the link, for the fault tests. `cut`: pit0 down, so connections fail at once
# (EHOSTUNREACH, through the guard route). `blackhole`: every packet dropped inside the namespace
# both ways, so connections and requests hang until their timeouts, like a dead network path.
# `restore` undoes both and the rate; `rate R` shapes both ways to R (tc units: 5mbit, 512kbit).
BLACKHOLE_RULES=("raw PREROUTING -i $REMOTE_IF" "mangle POSTROUTING -o $REMOTE_IF")
link_blackhole() {
  local r
  for r in "${BLACKHOLE_RULES[@]}"; do
    set -- $r
    in_ns iptables -t "$1" -C "$2" "$3" "$4" -j DROP 2>/dev/null || in_ns iptables -t "$1" -I "$2" "$3" "$4" -j DROP
  done
}
link_restore() {
  local r
  for r in "${BLACKHOLE_RULES[@]}"; do
    set -- $r
    while in_ns iptables -t "$1" -D "$2" "$3" "$4" -j DROP 2>/dev/null; do :; done
  done
  ip link set "$HOST_IF" up
  in_ns ip link set "$REMOTE_IF" up
  shape "$RATE"
}
link() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  netns_exists && ip link show "$HOST_IF" >/dev/null 2>&1 || die "the remote host is not up"
  case "${1:-}" in
    cut) ip link set "$HOST_IF" down ;;
    blackhole) link_blackhole ;;
    restore) link_restore ;;
    rate) [ -n "${2:-}" ] || die "usage: $0 link rate 5mbit"; shape "$2" ;;
    *) die "usage: $0 link cut|blackhole|restore|rate RATE" ;;
  esac
}

up_daemon() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  if daemon_pid >/dev/null; then
    :
  else
    rm -f "$PIDFILE" "$SOCK"
    # Our own config file and identity key: /etc/docker belongs to the main daemon (with its
    # key.json the two daemons would report the same engine ID).
    echo "{\"deprecated-key-path\": \"$RUN_DIR/key.json\"}" >"$CONFIG"
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
    for i in $(seq 1 80); do alive "$pid" || break; sleep 0.25; done
    if alive "$pid"; then
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
  for m in $(findmnt -rn -o TARGET | grep -E "^$dir(/|$)" | sort -r || true); do
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
  ip route del unreachable "$GUARD" metric "$GUARD_METRIC" 2>/dev/null || true
  rm -rf "$RUN_DIR" "$DATA_DIR"
  # The daemon's (now empty) cgroups; rmdir removes only empty ones.
  local cg
  for cg in $(find /sys/fs/cgroup -maxdepth 2 -type d -name pitstop-remote 2>/dev/null || true); do
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
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
  if in_ns iptables -t raw -C PREROUTING -i "$REMOTE_IF" -j DROP 2>/dev/null; then echo "fault    blackhole"; fi
  if pid=$(daemon_pid); then echo "dockerd  pid $pid"; else echo "dockerd  (not running)"; ok=1; fi
  # Only over our own link: without pit0, 10.200.0.2 would be looked for on the real network.
  if ip link show "$HOST_IF" >/dev/null 2>&1 && answers "tcp://$REMOTE_ADDR:$TCP_PORT"; then
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
  link) shift; link "$@" ;;
  *) echo "usage: $0 up|down|status|link cut|blackhole|restore|rate RATE" >&2; exit 2 ;;
esac
