#!/usr/bin/env bash
# Runs a tickroom cluster of N nodes of the built jar on 127.0.0.1.
#
#   deploy/local-cluster.sh start [N]   start N nodes (default 3); builds target/tickroom.jar if missing
#   deploy/local-cluster.sh stop        gracefully stop every node this script started
#   deploy/local-cluster.sh status      table of nodes: pid, ports, alive, ready, cluster members
#   deploy/local-cluster.sh add         start one more node that joins the running cluster
#   deploy/local-cluster.sh kill K      kill -9 node K (crash it, for failover demos)
#   deploy/local-cluster.sh leave K     SIGTERM node K and wait until it has left (graceful)
#   deploy/local-cluster.sh restart K   start node K again (same ports) and join the running cluster
#   deploy/local-cluster.sh roll        leave + restart every node, one at a time
#   deploy/local-cluster.sh logs K      print node K's log (LOGS_FOLLOW=1 to follow it)
#
# Node k (1-based) listens on 127.0.0.1 only:
#   game (TCP)          BASE_GAME_PORT    + k   (default 9000 -> 9001, 9002, ...)
#   http (WS/web)       BASE_HTTP_PORT    + k   (default 9100 -> 9101, ...)
#   cluster (Artery)    BASE_CLUSTER_PORT + k   (default 25520 -> 25521, ...)
#   management (HTTP)   BASE_MGMT_PORT    + k   (default 9200 -> 9201, ...)
#
# Other settings (environment):
#   CLUSTER_DIR       where logs and PID files go (default deploy/.cluster, git-ignored)
#   TICKROOM_JAR      the jar to run (default target/tickroom.jar of this repo)
#   JAVA              the java binary (default $JAVA_HOME/bin/java, else java on PATH)
#   JAVA_OPTS         JVM flags for every node, after the launcher's (default: -Xmx512m). Nodes start through
#                     deploy/tickroom, so they run the JVM settings README's start command runs
#   STARTUP_TIMEOUT   seconds to wait for a node's game port (default 120)
#   STOP_TIMEOUT      seconds to wait after SIGTERM before SIGKILL (default 30)
#   CLUSTER_SECRET, LOG_LEVEL, SBR_STRATEGY, SBR_QUORUM_SIZE, SBR_STABLE_AFTER,
#   FD_ACCEPTABLE_HEARTBEAT_PAUSE, APP_VERSION, DEFAULT_GAME are passed to the nodes when set.
#
# The script only ever signals PIDs it recorded in CLUSTER_DIR, and only while that PID is still a
# java process carrying this script's marker (-Dtickroom.local-cluster.node=K) on its command line.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

BASE_GAME_PORT="${BASE_GAME_PORT:-9000}"
BASE_HTTP_PORT="${BASE_HTTP_PORT:-9100}"
BASE_CLUSTER_PORT="${BASE_CLUSTER_PORT:-25520}"
BASE_MGMT_PORT="${BASE_MGMT_PORT:-9200}"
CLUSTER_DIR="${CLUSTER_DIR:-$SCRIPT_DIR/.cluster}"
TICKROOM_JAR="${TICKROOM_JAR:-$REPO_ROOT/target/tickroom.jar}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
HOST=127.0.0.1
MARKER=tickroom.local-cluster.node

if [[ -n "${JAVA:-}" ]]; then
  :
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

say() {
  echo "local-cluster: $*"
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

is_uint() {
  [[ "$1" =~ ^[0-9]+$ ]]
}

for v in BASE_GAME_PORT BASE_HTTP_PORT BASE_CLUSTER_PORT BASE_MGMT_PORT STARTUP_TIMEOUT STOP_TIMEOUT; do
  is_uint "${!v}" || die "$v must be a whole number, got '${!v}'"
done

game_port() { echo $((BASE_GAME_PORT + $1)); }
http_port() { echo $((BASE_HTTP_PORT + $1)); }
cluster_port() { echo $((BASE_CLUSTER_PORT + $1)); }
mgmt_port() { echo $((BASE_MGMT_PORT + $1)); }
pid_file() { echo "$CLUSTER_DIR/node-$1.pid"; }
log_file() { echo "$CLUSTER_DIR/node-$1.log"; }

# ------------------------------------------------------------------ processes

# The PID recorded for node K, or nothing.
recorded_pid() {
  local f
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && echo "$pid"
  return 0
}

# The command line of PID, or nothing when it does not exist.
cmdline_of() {
  if [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else
    ps -p "$1" -o args= 2>/dev/null || true
  fi
}

# True when PID exists and is not a zombie (a node this very script started and that died is one).
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [[ -r "/proc/$1/stat" ]]; then
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
  fi
}

# True when PID is alive and is the node K this script started (guards against reused PIDs).
is_our_node() {
  local pid="$1" k="$2"
  [[ -n "$pid" ]] || return 1
  pid_alive "$pid" || return 1
  [[ "$(cmdline_of "$pid")" == *"-D$MARKER=$k "* ]]
}

# The PID of node K when it is running, or nothing.
live_pid() {
  local pid
  pid="$(recorded_pid "$1")"
  if [[ -n "$pid" ]] && is_our_node "$pid" "$1"; then
    echo "$pid"
  fi
  return 0
}

# Node numbers that have a PID file, in order.
known_nodes() {
  local f k
  [[ -d "$CLUSTER_DIR" ]] || return 0
  for f in "$CLUSTER_DIR"/node-*.pid; do
    [[ -e "$f" ]] || continue
    k="${f##*/node-}"
    k="${k%.pid}"
    is_uint "$k" && echo "$k"
  done | sort -n
}

# Node numbers that are running.
running_nodes() {
  local k
  for k in $(known_nodes); do
    [[ -n "$(live_pid "$k")" ]] && echo "$k"
  done
  return 0
}

# ------------------------------------------------------------------ ports

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  local port="$1"
  if command -v nc >/dev/null 2>&1; then
    nc -z -w 1 "$HOST" "$port" >/dev/null 2>&1 && return 0
    return 1
  fi
  # bash's /dev/tcp; timeout guards against a hanging connect where the command exists
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$port" >/dev/null 2>&1
  else
    bash -c "exec 3<>/dev/tcp/$HOST/$port" >/dev/null 2>&1
  fi
}

# HTTP GET on the management port of node K; prints the body, fails when unreachable or not 2xx.
mgmt_get() {
  local k="$1" path="$2"
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS --max-time 2 "http://$HOST:$(mgmt_port "$k")$path" 2>/dev/null
}

# True when node K reports itself ready: /health/ready answers 2xx. Pekko Management's own default
# path, /ready, is tried when /health/ready is not there (404), for nodes not configured with it.
mgmt_ready() {
  local k="$1" code
  command -v curl >/dev/null 2>&1 || return 1
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$(mgmt_port "$k")/health/ready" 2>/dev/null)" || true
  case "$code" in
    2??) return 0 ;;
    404) mgmt_get "$k" /ready >/dev/null ;;
    *) return 1 ;;
  esac
}

check_ports_free() {
  local k="$1" p name
  for name in game http cluster mgmt; do
    p="$("${name}_port" "$k")"
    if port_open "$p"; then
      die "node $k: $name port $p on $HOST is already in use (another cluster? set BASE_*_PORT)"
    fi
  done
}

# ------------------------------------------------------------------ starting

ensure_jar() {
  if [[ -f "$TICKROOM_JAR" ]]; then
    return 0
  fi
  if [[ "$TICKROOM_JAR" != "$REPO_ROOT/target/tickroom.jar" ]]; then
    die "TICKROOM_JAR=$TICKROOM_JAR does not exist"
  fi
  command -v mvn >/dev/null 2>&1 || die "$TICKROOM_JAR is missing and mvn is not installed to build it"
  say "building $TICKROOM_JAR (mvn -B -ntp -DskipTests package)"
  (cd "$REPO_ROOT" && mvn -B -ntp -DskipTests package)
  [[ -f "$TICKROOM_JAR" ]] || die "the build did not produce $TICKROOM_JAR"
}

# Seed nodes (cluster host:port list) for node K to join with.
seeds_for() {
  local k="$1" mode="$2" n alive=() list=()
  if [[ "$mode" == fresh ]]; then
    # a new cluster: nodes 1 and 2 are the seeds (node 1 only for a one-node cluster)
    list+=("$HOST:$(cluster_port 1)")
    if (($3 >= 2)); then
      list+=("$HOST:$(cluster_port 2)")
    fi
  else
    # joining a running cluster: the first two running nodes; none running = a new cluster of its own
    for n in $(running_nodes); do
      [[ "$n" == "$k" ]] && continue
      alive+=("$n")
    done
    if ((${#alive[@]} == 0)); then
      list+=("$HOST:$(cluster_port "$k")")
    else
      for n in "${alive[@]:0:2}"; do
        list+=("$HOST:$(cluster_port "$n")")
      done
    fi
  fi
  local IFS=,
  echo "${list[*]}"
}

# Launches node K in the background with the given seed nodes; records its PID.
launch() {
  local k="$1" seeds="$2" log pid
  log="$(log_file "$k")"
  # the launcher (deploy/tickroom) execs java, so $! below is still the JVM; JAVA_OPTS reaches java after
  # the launcher's own flags (one flag per word, as the launcher splits it)
  local java_opts="-D$MARKER=$k -Dpekko.management.http.hostname=$HOST -Dpekko.management.http.port=$(mgmt_port "$k")"
  java_opts+=" ${JAVA_OPTS:--Xmx512m}"
  local -a envs=(
    "NODE_NAME=node-$k"
    "GAME_HOST=$HOST"
    "GAME_PORT=$(game_port "$k")"
    "GAME_ADVERTISED=$HOST:$(game_port "$k")"
    "HTTP_HOST=$HOST"
    "HTTP_PORT=$(http_port "$k")"
    "CLUSTER_HOST=$HOST"
    "CLUSTER_PORT=$(cluster_port "$k")"
    "MANAGEMENT_PORT=$(mgmt_port "$k")"
    "SEED_NODES=$seeds"
    "CLUSTER_FORMATION=seeds"
  )
  local v
  for v in CLUSTER_SECRET LOG_LEVEL SBR_STRATEGY SBR_QUORUM_SIZE SBR_STABLE_AFTER FD_ACCEPTABLE_HEARTBEAT_PAUSE APP_VERSION DEFAULT_GAME; do
    if [[ -n "${!v:-}" ]]; then
      envs+=("$v=${!v}")
    fi
  done
  {
    echo "==== $(date '+%Y-%m-%d %H:%M:%S') local-cluster: starting node $k (seeds $seeds)"
  } >>"$log"
  # setsid: the node gets its own session, so a Ctrl-C in this terminal does not reach it.
  # (The script is not a job-control shell, so setsid runs in the same process and $! is the JVM.)
  local -a detach=()
  if command -v setsid >/dev/null 2>&1; then
    detach=(setsid)
  fi
  # Management on the loopback address and this node's port, whatever the node's config defaults to.
  # (${a[@]+"${a[@]}"}: an empty array is fine under set -u in every bash)
  ${detach[@]+"${detach[@]}"} env "${envs[@]}" JAVA="$JAVA" TICKROOM_JAR="$TICKROOM_JAR" JAVA_OPTS="$java_opts" \
    "$SCRIPT_DIR/tickroom" </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$(pid_file "$k")"
}

# Waits until node K's game port accepts connections; fails when the node dies or time runs out.
wait_ready() {
  local k="$1" port pid deadline
  port="$(game_port "$k")"
  pid="$(recorded_pid "$k")"
  deadline=$((SECONDS + STARTUP_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! pid_alive "$pid"; then
      echo "local-cluster: node $k (pid $pid) exited during startup; last lines of $(log_file "$k"):" >&2
      tail -n 25 "$(log_file "$k")" >&2 || true
      return 1
    fi
    if port_open "$port"; then
      return 0
    fi
    sleep 0.5
  done
  echo "local-cluster: node $k: game port $port not open after ${STARTUP_TIMEOUT}s; see $(log_file "$k")" >&2
  return 1
}

# Starts node K and waits for it; MODE is fresh (new cluster of N nodes) or join.
start_nodes() {
  local mode="$1" n="$2"
  shift 2
  local k failed=0
  for k in "$@"; do
    check_ports_free "$k"
  done
  for k in "$@"; do
    launch "$k" "$(seeds_for "$k" "$mode" "$n")"
    say "node $k started (pid $(recorded_pid "$k")), log $(log_file "$k")"
  done
  for k in "$@"; do
    if wait_ready "$k"; then
      say "node $k: game port $(game_port "$k") is open"
    else
      failed=1
    fi
  done
  return "$failed"
}

# ------------------------------------------------------------------ stopping

# Sends SIGTERM to the given nodes, waits up to STOP_TIMEOUT, then SIGKILLs those still running.
stop_nodes() {
  local k pid deadline
  local -a pids=() nodes=()
  for k in "$@"; do
    pid="$(live_pid "$k")"
    if [[ -z "$pid" ]]; then
      rm -f "$(pid_file "$k")"
      continue
    fi
    say "node $k: SIGTERM to pid $pid (graceful leave)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
    nodes+=("$k")
  done
  ((${#pids[@]} > 0)) || return 0
  deadline=$((SECONDS + STOP_TIMEOUT))
  local i remaining
  while :; do
    remaining=0
    for i in "${!pids[@]}"; do
      if pid_alive "${pids[$i]}"; then
        remaining=1
      fi
    done
    ((remaining == 0 || SECONDS >= deadline)) && break
    sleep 0.5
  done
  for i in "${!pids[@]}"; do
    k="${nodes[$i]}"
    pid="${pids[$i]}"
    if is_our_node "$pid" "$k"; then
      say "node $k: still running after ${STOP_TIMEOUT}s, SIGKILL to pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
    else
      say "node $k: stopped"
    fi
    rm -f "$(pid_file "$k")"
  done
}

# ------------------------------------------------------------------ status

print_table() {
  local k pid state ready members up
  printf '%-5s %-8s %-7s %-6s %-6s %-7s %-6s %-5s %s\n' \
    NODE PID STATE GAME HTTP CLUSTER MGMT READY "MEMBERS(up/all)"
  for k in $(known_nodes); do
    pid="$(recorded_pid "$k")"
    ready="-"
    members="-"
    if is_our_node "$pid" "$k"; then
      state=running
      if mgmt_ready "$k"; then
        ready=yes
      elif command -v curl >/dev/null 2>&1 && port_open "$(mgmt_port "$k")"; then
        ready=no
      fi
      local body
      if body="$(mgmt_get "$k" /cluster/members)"; then
        # (|| true: under pipefail a grep that finds nothing, say no member Up yet, would end the script)
        up="$({ grep -o '"status" *: *"Up"' <<<"$body" || true; } | wc -l | tr -d ' ')"
        members="$up/$({ grep -o '"status" *: *"[A-Za-z]*"' <<<"$body" || true; } | wc -l | tr -d ' ')"
      fi
    else
      state=dead
      pid="${pid:--}"
    fi
    printf '%-5s %-8s %-7s %-6s %-6s %-7s %-6s %-5s %s\n' "$k" "$pid" "$state" \
      "$(game_port "$k")" "$(http_port "$k")" "$(cluster_port "$k")" "$(mgmt_port "$k")" "$ready" "$members"
  done
}

# ------------------------------------------------------------------ commands

node_arg() {
  local k="${1:-}"
  if ! is_uint "$k" || ((k < 1)); then
    die "expected a node number (1, 2, ...), got '${k}'"
  fi
  echo "$k"
}

cmd_start() {
  local n="${1:-3}"
  if ! is_uint "$n" || ((n < 1)); then
    die "start: N must be a positive number, got '$n'"
  fi
  mkdir -p "$CLUSTER_DIR"
  local running
  running="$(running_nodes | tr '\n' ' ')"
  [[ -z "$running" ]] || die "nodes already running: ${running% } (use 'add', or 'stop' first)"
  ensure_jar
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA or JAVA_HOME)"
  # a fresh cluster: forget the files of earlier runs
  rm -f "$CLUSTER_DIR"/node-*.pid "$CLUSTER_DIR"/node-*.log
  local k
  say "starting $n node(s) from $TICKROOM_JAR, files in $CLUSTER_DIR"
  local rc=0
  local -a all=()
  for ((k = 1; k <= n; k++)); do
    all+=("$k")
  done
  start_nodes fresh "$n" "${all[@]}" || rc=$?
  echo
  print_table
  if ((rc != 0)); then
    echo
    die "some nodes did not start; 'status' shows which, 'stop' stops the others"
  fi
  echo
  say "cluster of $n node(s) is up; connect with: nc $HOST $(game_port 1)"
}

cmd_add() {
  mkdir -p "$CLUSTER_DIR"
  ensure_jar
  local last k=1
  last="$(known_nodes | tail -n 1)"
  if [[ -n "$last" ]]; then
    k=$((last + 1))
  fi
  [[ -n "$(running_nodes)" ]] || say "no node is running: node $k forms a new one-node cluster"
  local rc=0
  start_nodes join 0 "$k" || rc=$?
  echo
  print_table
  return "$rc"
}

cmd_restart() {
  local k
  k="$(node_arg "${1:-}")"
  mkdir -p "$CLUSTER_DIR"
  [[ -z "$(live_pid "$k")" ]] || die "node $k is running (pid $(live_pid "$k")); 'leave $k' or 'kill $k' first"
  ensure_jar
  local rc=0
  start_nodes join 0 "$k" || rc=$?
  echo
  print_table
  return "$rc"
}

cmd_kill() {
  local k pid
  k="$(node_arg "${1:-}")"
  pid="$(live_pid "$k")"
  [[ -n "$pid" ]] || die "node $k is not running"
  kill -KILL "$pid"
  say "node $k (pid $pid) killed with SIGKILL. The others mark it unreachable; the split brain resolver"
  say "downs it once membership is stable (stable-after, 1.5 s), then its rooms start on the remaining nodes (~8 s in all)"
}

cmd_leave() {
  local k
  k="$(node_arg "${1:-}")"
  [[ -n "$(live_pid "$k")" ]] || die "node $k is not running"
  stop_nodes "$k"
}

cmd_stop() {
  local nodes
  nodes="$(known_nodes)"
  if [[ -z "$nodes" ]]; then
    say "no nodes recorded in $CLUSTER_DIR"
    return 0
  fi
  # shellcheck disable=SC2086 # node numbers, one word each
  stop_nodes $nodes
}

cmd_roll() {
  local k nodes
  nodes="$(running_nodes)"
  [[ -n "$nodes" ]] || die "no node is running"
  for k in $nodes; do
    say "rolling node $k"
    stop_nodes "$k"
    start_nodes join 0 "$k" || die "node $k did not come back; stopping the roll"
    wait_member_up "$k"
  done
  echo
  print_table
}

# Waits until node K is a cluster member: /health/ready on its management port when that answers,
# else its log saying it was welcomed into the cluster (only when other nodes are running).
wait_member_up() {
  local k="$1" deadline others log
  others="$(running_nodes | grep -vx "$k" || true)"
  log="$(log_file "$k")"
  deadline=$((SECONDS + STARTUP_TIMEOUT))
  while ((SECONDS < deadline)); do
    if mgmt_ready "$k"; then
      say "node $k is ready (management readiness check)"
      return 0
    fi
    if ! port_open "$(mgmt_port "$k")"; then
      [[ -n "$others" ]] || return 0
      # the log since this start (after the last banner line) says it joined
      if awk '/^==== .* local-cluster: starting node/ { seen = 0 } /Welcome from/ { seen = 1 } END { exit !seen }' "$log"; then
        say "node $k joined the cluster (its log says Welcome)"
        return 0
      fi
    fi
    sleep 1
  done
  say "node $k: not a ready cluster member after ${STARTUP_TIMEOUT}s; continuing"
}

cmd_logs() {
  local k log
  k="$(node_arg "${1:-}")"
  log="$(log_file "$k")"
  [[ -f "$log" ]] || die "no log for node $k at $log"
  if [[ "${LOGS_FOLLOW:-0}" == 1 ]]; then
    exec tail -n 50 -f "$log"
  fi
  cat "$log"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    status)
      if [[ -z "$(known_nodes)" ]]; then
        say "no nodes recorded in $CLUSTER_DIR"
      else
        print_table
      fi
      ;;
    add) cmd_add ;;
    kill) cmd_kill "$@" ;;
    leave) cmd_leave "$@" ;;
    restart) cmd_restart "$@" ;;
    roll) cmd_roll ;;
    logs) cmd_logs "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
