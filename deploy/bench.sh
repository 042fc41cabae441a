#!/usr/bin/env bash
# Benchmarks one tickroom node on this machine with the built-in load generator.
#
#   deploy/bench.sh [sweep|arena|echo|memory|soak|all] [--quick]
#
#   sweep    arena-load over ROOMS (default "25 50 100 150 200") rooms of PLAYERS (10) players, then echo-load
#            (the default mode)
#   arena    the arena-load sweep alone
#   echo     echo-load only: ECHO_CLIENTS (100) clients x ECHO_IN_FLIGHT (8) pings in flight
#   memory   LOBBY_CLIENTS (10000) players connected in the lobby (hello only, no room): server RSS and live heap
#   soak     SOAK_ROOMS (100) rooms x PLAYERS for SOAK_SECONDS (300): RSS and heap sampled over time
#   all      sweep, echo, memory and soak, each on its own fresh node
#   --quick  a short sweep for a smoke check: ROOMS="25 100", DURATION=20, WARMUP=5, REPEAT=1
#
# It builds target/tickroom.jar and target/tickroom-loadtest.jar if they are missing, starts one node on
# 127.0.0.1 with its own ports, runs the load generator (`java -jar target/tickroom-loadtest.jar`, given
# --server-pid so it measures the node's CPU and RSS),
# writes the raw JSON lines (results.jsonl), a markdown table (results.md) and every run's output under
# BENCH_DIR, and stops the node by the PID it started. Every run is repeated REPEAT times; the table shows
# the median. The load generator runs on the same machine as the node, so the two share the CPUs.
#
# Before each run it waits until the machine is quiet: the CPU used by processes other than the node, over
# QUIET_SAMPLE seconds, must be at most QUIET_MAX_CORES cores (polling every 30 s, at most QUIET_WAIT seconds;
# after that it runs anyway and records the figure in the `other_cpu` field). During each run it also measures
# the load generator's CPU (`loadgen_cpu`, cores) and what other processes used (`other_cpu_during`); a run
# with other_cpu_during above QUIET_MAX_CORES is flagged as disturbed in the log.
#
# Settings (environment):
#   ROOMS="25 50 100 150 200"  PLAYERS=10  DURATION=60  WARMUP=10  REPEAT=2  RAMP=500
#   ECHO_CLIENTS=100  ECHO_IN_FLIGHT=8  ECHO_DURATION=$DURATION
#   LOBBY_CLIENTS=10000  LOBBY_DURATION=30  LOBBY_PING_INTERVAL=10
#   SOAK_ROOMS=100  SOAK_SECONDS=300  SAMPLE_EVERY=10 (seconds between RSS/heap samples)
#   BENCH_DIR=target/bench/<date-time>   results folder (target/ is git-ignored)
#   TICKROOM_JAR=target/tickroom.jar     the server under test
#   LOADTEST_JAR=target/tickroom-loadtest.jar   the load generator (keeping one copy makes before/after comparisons fair)
#   JAVA=java  BENCH_JAVA_OPTS=""   JVM flags for the node on top of deploy/tickroom's defaults (the node starts
#                                  through that launcher, as README's command and the Docker image do)
#   LOADTEST_JAVA_OPTS="-Xmx1g"
#   BENCH_GAME_PORT=19000  BENCH_HTTP_PORT=19080  BENCH_CLUSTER_PORT=25700  BENCH_MGMT_PORT=19558
#   QUIET_MAX_CORES=0.25  QUIET_SAMPLE=5  QUIET_WAIT=600
#   NODE_EXTRA_OPTS=""   more JVM flags for the node, e.g. -XX:StartFlightRecording=duration=60s,filename=x.jfr
#
# Only loopback is used. Only the PID this script started is ever signalled.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

MODE=sweep
QUICK=0
for arg in "$@"; do
  case "$arg" in
    sweep | arena | echo | memory | soak | all) MODE=$arg ;;
    --quick) QUICK=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench.sh: unknown argument '$arg' (sweep|arena|echo|memory|soak|all, --quick, --help)" >&2
      exit 2
      ;;
  esac
done

if [[ $QUICK == 1 ]]; then
  : "${ROOMS:=25 100}" "${DURATION:=20}" "${WARMUP:=5}" "${REPEAT:=1}"
fi
ROOMS=${ROOMS:-25 50 100 150 200}
PLAYERS=${PLAYERS:-10}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-10}
REPEAT=${REPEAT:-2}
RAMP=${RAMP:-500}
ECHO_CLIENTS=${ECHO_CLIENTS:-100}
ECHO_IN_FLIGHT=${ECHO_IN_FLIGHT:-8}
ECHO_DURATION=${ECHO_DURATION:-$DURATION}
LOBBY_CLIENTS=${LOBBY_CLIENTS:-10000}
LOBBY_DURATION=${LOBBY_DURATION:-30}
LOBBY_PING_INTERVAL=${LOBBY_PING_INTERVAL:-10}
SOAK_ROOMS=${SOAK_ROOMS:-100}
SOAK_SECONDS=${SOAK_SECONDS:-300}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
BENCH_DIR=${BENCH_DIR:-target/bench/$(date +%Y%m%d-%H%M%S)}
TICKROOM_JAR=${TICKROOM_JAR:-target/tickroom.jar}
LOADTEST_JAR=${LOADTEST_JAR:-target/tickroom-loadtest.jar}
JAVA=${JAVA:-java}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-}
LOADTEST_JAVA_OPTS=${LOADTEST_JAVA_OPTS:--Xmx1g}
NODE_EXTRA_OPTS=${NODE_EXTRA_OPTS:-}
BENCH_GAME_PORT=${BENCH_GAME_PORT:-19000}
BENCH_HTTP_PORT=${BENCH_HTTP_PORT:-19080}
BENCH_CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25700}
BENCH_MGMT_PORT=${BENCH_MGMT_PORT:-19558}
QUIET_MAX_CORES=${QUIET_MAX_CORES:-0.25}
QUIET_SAMPLE=${QUIET_SAMPLE:-5}
QUIET_WAIT=${QUIET_WAIT:-600}

MARKER="-Dtickroom.bench=$$"
NODE_PID=""
NODE_LOG=""
SAMPLER_PID=""

log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# ------------------------------------------------------------------ the node

# The PID is ours only while it is still the java process carrying this run's marker.
node_is_ours() {
  [[ -n $NODE_PID ]] && [[ -r /proc/$NODE_PID/cmdline ]] && tr '\0' ' ' 2>/dev/null <"/proc/$NODE_PID/cmdline" | grep -q -- "$MARKER"
}

start_node() { # name [VAR=value...]: extra environment for the node
  local name=$1
  shift
  NODE_LOG=$BENCH_DIR/node-$name.log
  local opts="$BENCH_JAVA_OPTS $NODE_EXTRA_OPTS $MARKER"
  log "starting node ($name): JAVA_OPTS='$opts' deploy/tickroom, jar $TICKROOM_JAR (game port 127.0.0.1:$BENCH_GAME_PORT)"
  # every load generator connection comes from 127.0.0.1: lift the per-address (and per-node) connection caps
  env MAX_CONNECTIONS=1000000 MAX_CONNECTIONS_PER_ADDRESS=1000000 \
    "$@" GAME_HOST=127.0.0.1 GAME_PORT="$BENCH_GAME_PORT" HTTP_HOST=127.0.0.1 HTTP_PORT="$BENCH_HTTP_PORT" \
    CLUSTER_HOST=127.0.0.1 CLUSTER_PORT="$BENCH_CLUSTER_PORT" MANAGEMENT_PORT="$BENCH_MGMT_PORT" SEED_NODES='' \
    JAVA="$JAVA" TICKROOM_JAR="$TICKROOM_JAR" JAVA_OPTS="$opts" "$ROOT/deploy/tickroom" >"$NODE_LOG" 2>&1 </dev/null &
  NODE_PID=$!
  local waited=0
  until grep -q "game port listening" "$NODE_LOG" 2>/dev/null; do
    # (the marker is checked once the JVM runs; until then the PID may still be the shell exec-ing it)
    kill -0 "$NODE_PID" 2>/dev/null || die "the node exited during startup; see $NODE_LOG"
    ((waited++ < 120)) || die "the node did not bind its game port within 120 s; see $NODE_LOG"
    sleep 1
  done
  node_is_ours || die "pid $NODE_PID is not the node this script started"
  # let the one-node cluster settle (shard coordinator, singleton) before load arrives
  sleep 3
  log "node up: pid $NODE_PID, log $NODE_LOG"
}

stop_node() {
  stop_sampler
  if node_is_ours; then
    log "stopping node pid $NODE_PID"
    kill -TERM "$NODE_PID" 2>/dev/null || true
    local waited=0
    while node_is_ours && ((waited++ < 60)); do sleep 1; done
    if node_is_ours; then
      log "node pid $NODE_PID did not stop in 60 s; SIGKILL"
      kill -KILL "$NODE_PID" 2>/dev/null || true
    fi
    wait "$NODE_PID" 2>/dev/null || true
  fi
  NODE_PID=""
}
trap stop_node EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ measuring helpers

# CPU ticks (user+system, all processes) and the node's own ticks, from /proc.
total_busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8; exit}' /proc/stat; }
node_ticks() {
  if [[ -n $NODE_PID && -r /proc/$NODE_PID/stat ]]; then
    sed 's/.*) //' "/proc/$NODE_PID/stat" | awk '{print $12+$13}'
  else
    echo 0
  fi
}

# Cores used by processes other than the node over QUIET_SAMPLE seconds.
other_cpu() {
  local hz b0 n0 b1 n1
  hz=$(getconf CLK_TCK)
  b0=$(total_busy_ticks)
  n0=$(node_ticks)
  sleep "$QUIET_SAMPLE"
  b1=$(total_busy_ticks)
  n1=$(node_ticks)
  awk -v b="$((b1 - b0))" -v n="$((n1 - n0))" -v hz="$hz" -v s="$QUIET_SAMPLE" \
    'BEGIN { v = (b - n) / hz / s; if (v < 0) v = 0; printf "%.2f", v }'
}

OTHER_CPU=0
wait_quiet() {
  local start=$SECONDS
  while true; do
    OTHER_CPU=$(other_cpu)
    if awk -v v="$OTHER_CPU" -v m="$QUIET_MAX_CORES" 'BEGIN { exit !(v <= m) }'; then
      log "machine quiet: other processes use $OTHER_CPU cores (1-min load $(cut -d' ' -f1 /proc/loadavg))"
      return
    fi
    if ((SECONDS - start >= QUIET_WAIT)); then
      log "machine still busy after ${QUIET_WAIT} s (other processes use $OTHER_CPU cores); measuring anyway"
      return
    fi
    log "machine busy: other processes use $OTHER_CPU cores; waiting 30 s"
    sleep 30
  done
}

rss_mb() { awk '/^VmRSS:/{printf "%.1f", $2/1024}' "/proc/$NODE_PID/status" 2>/dev/null || echo ""; }
# Java heap in use (MB): young + old, from jstat; after `jcmd GC.run` it is the live set.
heap_used_mb() {
  jstat -gc "$NODE_PID" 2>/dev/null | awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i} NR==2{printf "%.1f", ($c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"])/1024}'
}
live_heap_mb() {
  # the class histogram of live objects: it runs a full GC and sums what survived, so objects allocated
  # while the tool runs do not count (reading jstat after GC.run did, by hundreds of MB under load)
  jcmd "$NODE_PID" GC.class_histogram 2>/dev/null | awk '$1 == "Total" { printf "%.1f", $3 / 1048576 }'
}

# Samples the node's RSS and heap every SAMPLE_EVERY seconds into a CSV until stopped.
start_sampler() { # csv
  local csv=$1
  echo "t_s,rss_mb,heap_used_mb,old_used_mb" >"$csv"
  (
    t0=$SECONDS
    while [[ -r /proc/$NODE_PID/status ]]; do
      old=$(jstat -gc "$NODE_PID" 2>/dev/null | awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i} NR==2{printf "%.1f", $c["OU"]/1024}')
      echo "$((SECONDS - t0)),$(rss_mb),$(heap_used_mb),$old" >>"$csv"
      sleep "$SAMPLE_EVERY"
    done
  ) &
  SAMPLER_PID=$!
}
stop_sampler() {
  if [[ -n $SAMPLER_PID ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
}

# ------------------------------------------------------------------ one load run

# run_load LABEL REP loadtest-args... : runs the load generator, appends its JSON line (with the label,
# repetition, date and other_cpu in front) to results.jsonl. Sets LAST_JSON and LAST_OUT. Call wait_quiet
# before it.
LAST_JSON=""
LAST_OUT=""
run_load() {
  local label=$1 rep=$2
  shift 2
  local -a jopts
  read -r -a jopts <<<"$LOADTEST_JAVA_OPTS"
  LAST_OUT=$BENCH_DIR/runs/$label-$rep.txt
  log "run $label #$rep: loadtest $*"
  local status=0 b0 n0 t0 lg lg_ticks=0 t
  b0=$(total_busy_ticks)
  n0=$(node_ticks)
  t0=$(date +%s.%N)
  "$JAVA" "${jopts[@]}" -jar "$LOADTEST_JAR" --port "$BENCH_GAME_PORT" --server-pid "$NODE_PID" \
    --csv "$BENCH_DIR/runs/$label-$rep.csv" "$@" >"$LAST_OUT" 2>&1 &
  lg=$!
  # the load generator's own CPU (sampled each second while it runs), so that what is left is other processes
  while kill -0 "$lg" 2>/dev/null; do
    t=$(sed 's/.*) //' "/proc/$lg/stat" 2>/dev/null | awk '{print $12+$13}' || true)
    [[ -n $t ]] && lg_ticks=$t
    sleep 1
  done
  wait "$lg" || status=$?
  local during loadgen
  read -r during loadgen < <(awk -v b="$(($(total_busy_ticks) - b0))" -v n="$(($(node_ticks) - n0))" -v l="$lg_ticks" \
    -v hz="$(getconf CLK_TCK)" -v s="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" \
    'BEGIN { o = (b - n - l) / hz / s; if (o < 0) o = 0; printf "%.2f %.2f\n", o, l / hz / s }')
  if awk -v v="$during" -v m="$QUIET_MAX_CORES" 'BEGIN { exit !(v > m) }'; then
    log "warning: other processes used $during cores during run $label #$rep: its figures are disturbed"
  fi
  local json
  json=$(grep '^{"scenario"' "$LAST_OUT" | tail -n 1 || true)
  if [[ -z $json ]]; then
    log "run $label #$rep failed (exit $status), no result; see $LAST_OUT"
    LAST_JSON=""
    return
  fi
  local peak
  peak=$(sed -n 's/^connections *[0-9]* planned, \([0-9]*\) ready at peak.*/\1/p' "$LAST_OUT" | tail -n 1)
  LAST_JSON="{\"label\":\"$label\",\"rep\":$rep,\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"other_cpu\":$OTHER_CPU,\"other_cpu_during\":$during,\"loadgen_cpu\":$loadgen,\"peak_connected\":${peak:-0},\"exit\":$status,${json#\{}"
  echo "$LAST_JSON" >>"$BENCH_DIR/results.jsonl"
  grep -E '^(delivered|round trips|latency|tick interval|errors|server) ' "$LAST_OUT" | sed 's/^/    /' >&2 || true
}

# ------------------------------------------------------------------ the modes

sweep() {
  start_node sweep
  local rep rooms
  for ((rep = 1; rep <= REPEAT; rep++)); do
    for rooms in $ROOMS; do
      wait_quiet
      run_load "arena-$rooms" "$rep" --scenario arena-load --rooms "$rooms" --players-per-room "$PLAYERS" \
        --warmup "$WARMUP" --duration "$DURATION" --ramp-per-second "$RAMP"
    done
  done
  stop_node
}

echo_load() {
  # every ping is a message: lift the per-connection rate limit (60/s by default) for this node
  start_node echo RATE_PER_SECOND=1000000 RATE_BURST=1000000
  local rep
  for ((rep = 1; rep <= REPEAT; rep++)); do
    wait_quiet
    run_load "echo-$ECHO_CLIENTS" "$rep" --scenario echo-load --clients "$ECHO_CLIENTS" \
      --in-flight "$ECHO_IN_FLIGHT" --warmup "$WARMUP" --duration "$ECHO_DURATION" --ramp-per-second "$RAMP"
  done
  stop_node
}

memory() {
  start_node memory
  local idle_rss idle_heap
  idle_heap=$(live_heap_mb)
  idle_rss=$(rss_mb)
  log "idle node: RSS $idle_rss MB, live heap $idle_heap MB"
  # while the clients are connected (half-way through the window): a full GC, then the live heap and RSS
  local ramp_s half
  ramp_s=$(awk -v n="$LOBBY_CLIENTS" -v r=1000 'BEGIN { printf "%d", n / r + 1 }')
  half=$(awk -v a="$ramp_s" -v w="$WARMUP" -v d="$LOBBY_DURATION" 'BEGIN { printf "%d", a + w + d / 2 }')
  wait_quiet
  (
    sleep "$half"
    echo "$(rss_mb) $(live_heap_mb)" >"$BENCH_DIR/runs/lobby-mid.txt"
  ) &
  local probe=$!
  run_load "lobby-$LOBBY_CLIENTS" 1 --scenario lobby --clients "$LOBBY_CLIENTS" --ping-interval "$LOBBY_PING_INTERVAL" \
    --warmup "$WARMUP" --duration "$LOBBY_DURATION" --ramp-per-second 1000
  wait "$probe" 2>/dev/null || true
  local mid_rss mid_heap
  read -r mid_rss mid_heap <"$BENCH_DIR/runs/lobby-mid.txt" || true
  echo "{\"label\":\"lobby-memory\",\"clients\":$LOBBY_CLIENTS,\"idle_rss_mb\":${idle_rss:-null},\"idle_live_heap_mb\":${idle_heap:-null},\"rss_mb\":${mid_rss:-null},\"live_heap_mb\":${mid_heap:-null}}" >>"$BENCH_DIR/results.jsonl"
  log "lobby: $LOBBY_CLIENTS clients: RSS $mid_rss MB (idle $idle_rss), live heap $mid_heap MB (idle $idle_heap)"
  stop_node
}

soak() {
  start_node soak
  wait_quiet
  start_sampler "$BENCH_DIR/runs/soak-rss.csv"
  # live heap (after a full GC) one minute into the measured window, when every room has settled, then
  # half-way, then 5 s before the end: growth between them is what a leak would show
  local first half
  first=$(awk -v r="$SOAK_ROOMS" -v p="$PLAYERS" -v ramp="$RAMP" -v w="$WARMUP" 'BEGIN { printf "%d", r * p / ramp + 1 + w + 60 }')
  half=$(awk -v s="$SOAK_SECONDS" 'BEGIN { printf "%d", (s - 60) / 2 }')
  (
    sleep "$first"
    echo "start $(rss_mb) $(live_heap_mb)" >"$BENCH_DIR/runs/soak-live.txt"
    sleep "$half"
    echo "mid $(rss_mb) $(live_heap_mb)" >>"$BENCH_DIR/runs/soak-live.txt"
    sleep "$half"
    echo "end $(rss_mb) $(live_heap_mb)" >>"$BENCH_DIR/runs/soak-live.txt"
  ) &
  local probe=$!
  run_load "soak-$SOAK_ROOMS" 1 --scenario arena-load --rooms "$SOAK_ROOMS" --players-per-room "$PLAYERS" \
    --warmup "$WARMUP" --duration "$((SOAK_SECONDS + 5))" --ramp-per-second "$RAMP"
  wait "$probe" 2>/dev/null || true
  stop_sampler
  local s_rss s_heap m_rss m_heap e_rss e_heap
  read -r _ s_rss s_heap < <(grep '^start' "$BENCH_DIR/runs/soak-live.txt") || true
  read -r _ m_rss m_heap < <(grep '^mid' "$BENCH_DIR/runs/soak-live.txt") || true
  read -r _ e_rss e_heap < <(grep '^end' "$BENCH_DIR/runs/soak-live.txt") || true
  echo "{\"label\":\"soak-live\",\"seconds\":$SOAK_SECONDS,\"start_rss_mb\":${s_rss:-null},\"start_live_heap_mb\":${s_heap:-null},\"mid_rss_mb\":${m_rss:-null},\"mid_live_heap_mb\":${m_heap:-null},\"end_rss_mb\":${e_rss:-null},\"end_live_heap_mb\":${e_heap:-null}}" >>"$BENCH_DIR/results.jsonl"
  stop_node
}

# ------------------------------------------------------------------ the report

num() { # field json -> value or empty
  sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"
}

# median of the numbers on stdin (empty when none)
median() {
  awk '$1 != "null" && $1 != "" { print $1 }' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

field_median() { # label field
  { grep "\"label\":\"$1\"" "$BENCH_DIR/results.jsonl" || true; } | while read -r l; do num "$2" "$l"; done | median
}

fmt() { # value decimals
  [[ -z $1 ]] && {
    echo "-"
    return
  }
  awk -v v="$1" -v d="$2" 'BEGIN { printf "%." d "f", v }'
}

report() {
  local md=$BENCH_DIR/results.md
  local jsonl=$BENCH_DIR/results.jsonl
  [[ -s $jsonl ]] || {
    log "no results"
    return
  }
  {
    echo "# tickroom benchmark, $(date -u +%Y-%m-%d)"
    echo
    echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')),"\
      "$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; the load generator runs on the same machine"
    echo "- node JVM: deploy/tickroom's defaults + \`$BENCH_JAVA_OPTS $NODE_EXTRA_OPTS\`, $("$JAVA" -version 2>&1 | head -n 1)"
    echo "- jar: $TICKROOM_JAR ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')); load generator: $LOADTEST_JAR"
    echo "- each row: median of the runs (\`runs\`); warm-up ${WARMUP} s, measured ${DURATION} s (echo ${ECHO_DURATION} s)"
    echo
    local labels
    labels=$(sed -n 's/^{"label":"\([^"]*\)".*/\1/p' "$jsonl" | awk '!seen[$0]++')
    if grep -q '"label":"arena-' "$jsonl"; then
      echo "## arena-load ($PLAYERS players per room, 20 ticks/s)"
      echo
      echo "| rooms | clients | expected/s | delivered/s | % | latency p50 ms | p99 ms | max ms | tick interval p99 ms | errors | disconnects | server CPU % | CPU s per 1M states | RSS MB | load generator CPU % | other CPU % | runs | ok (>=99 %, p99 <= 100 ms) |"
      echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
      local l
      for l in $labels; do
        [[ $l == arena-* ]] || continue
        local rooms=${l#arena-} clients expected d pct p50 p99 mx tick err disc cpu per rss runs ok secs lg od
        clients=$((rooms * PLAYERS))
        expected=$((clients * 20))
        d=$(field_median "$l" delivered_per_s)
        pct=$(awk -v d="${d:-0}" -v e="$expected" 'BEGIN { printf "%.1f", 100 * d / e }')
        p50=$(field_median "$l" lat_p50_ms)
        p99=$(field_median "$l" lat_p99_ms)
        mx=$(field_median "$l" lat_max_ms)
        tick=$(field_median "$l" tick_interval_p99_ms)
        err=$(field_median "$l" errors)
        disc=$(field_median "$l" disconnects)
        cpu=$(field_median "$l" server_cpu_s)
        secs=$(field_median "$l" seconds)
        per=$(field_median "$l" cpu_s_per_million)
        rss=$(field_median "$l" server_rss_mb)
        lg=$(field_median "$l" loadgen_cpu)
        od=$(field_median "$l" other_cpu_during)
        runs=$(grep -c "\"label\":\"$l\"" "$jsonl")
        ok=$(awk -v p="$pct" -v q="${p99:-1e9}" 'BEGIN { print (p >= 99 && q <= 100) ? "yes" : "no" }')
        echo "| $rooms | $clients | $expected | $(fmt "$d" 0) | $pct | $(fmt "$p50" 1) | $(fmt "$p99" 1) | $(fmt "$mx" 0) | $(fmt "$tick" 1) | $(fmt "$err" 0) | $(fmt "$disc" 0) | $(awk -v c="${cpu:-0}" -v s="${secs:-1}" 'BEGIN { printf "%.0f", 100 * c / s }') | $(fmt "$per" 1) | $(fmt "$rss" 0) | $(awk -v c="${lg:-0}" 'BEGIN { printf "%.0f", 100 * c }') | $(awk -v c="${od:-0}" 'BEGIN { printf "%.0f", 100 * c }') | $runs | $ok |"
      done
      echo
    fi
    if grep -q '"label":"echo-' "$jsonl"; then
      echo "## echo-load ($ECHO_CLIENTS clients x $ECHO_IN_FLIGHT pings in flight)"
      echo
      echo "| clients | round trips/s | latency p50 ms | p99 ms | errors | disconnects | server CPU % | CPU s per 1M round trips | RSS MB | load generator CPU % | runs |"
      echo "|---|---|---|---|---|---|---|---|---|---|---|"
      for l in $labels; do
        [[ $l == echo-* ]] || continue
        local d p50 p99 err disc cpu secs per rss runs lg
        lg=$(field_median "$l" loadgen_cpu)
        d=$(field_median "$l" delivered_per_s)
        p50=$(field_median "$l" lat_p50_ms)
        p99=$(field_median "$l" lat_p99_ms)
        err=$(field_median "$l" errors)
        disc=$(field_median "$l" disconnects)
        cpu=$(field_median "$l" server_cpu_s)
        secs=$(field_median "$l" seconds)
        per=$(field_median "$l" cpu_s_per_million)
        rss=$(field_median "$l" server_rss_mb)
        runs=$(grep -c "\"label\":\"$l\"" "$jsonl")
        echo "| ${l#echo-} | $(fmt "$d" 0) | $(fmt "$p50" 2) | $(fmt "$p99" 2) | $(fmt "$err" 0) | $(fmt "$disc" 0) | $(awk -v c="${cpu:-0}" -v s="${secs:-1}" 'BEGIN { printf "%.0f", 100 * c / s }') | $(fmt "$per" 1) | $(fmt "$rss" 0) | $(awk -v c="${lg:-0}" 'BEGIN { printf "%.0f", 100 * c }') | $runs |"
      done
      echo
    fi
    local line
    line=$(grep '"label":"lobby-memory"' "$jsonl" | tail -n 1 || true)
    if [[ -n $line ]]; then
      local lobby clients peak idle_rss rss idle_heap heap
      lobby=$(grep '"label":"lobby-[0-9]' "$jsonl" | tail -n 1)
      clients=$(num clients "$line")
      peak=$(num peak_connected "$lobby")
      idle_rss=$(num idle_rss_mb "$line")
      rss=$(num rss_mb "$line")
      idle_heap=$(num idle_live_heap_mb "$line")
      heap=$(num live_heap_mb "$line")
      echo "## Memory: players connected in the lobby (hello, no room)"
      echo
      echo "| clients | connected at peak | errors | disconnects | ping p99 ms | RSS idle MB | RSS with clients MB | live heap idle MB | live heap with clients MB | RSS per client KB | live heap per client KB |"
      echo "|---|---|---|---|---|---|---|---|---|---|---|"
      echo "| $clients | $peak | $(num errors "$lobby") | $(num disconnects "$lobby") | $(fmt "$(num lat_p99_ms "$lobby")" 1) | $idle_rss | $rss | $idle_heap | $heap |" \
        "$(awk -v a="$rss" -v b="$idle_rss" -v n="$clients" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }') |" \
        "$(awk -v a="$heap" -v b="$idle_heap" -v n="$clients" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }') |"
      echo
      echo "Live heap: the bytes of live objects in \`jcmd <pid> GC.class_histogram\` (which runs a full GC first)."
      echo
    fi
    line=$(grep '"label":"soak-live"' "$jsonl" | tail -n 1 || true)
    if [[ -n $line ]]; then
      local soak
      soak=$(grep '"label":"soak-[0-9]' "$jsonl" | tail -n 1)
      echo "## Soak: $SOAK_ROOMS rooms x $PLAYERS players for $(num seconds "$line") s"
      echo
      echo "delivered $(fmt "$(num delivered_per_s "$soak")" 0)/s of $((SOAK_ROOMS * PLAYERS * 20)), latency p99 $(fmt "$(num lat_p99_ms "$soak")" 1) ms," \
        "errors $(num errors "$soak"), disconnects $(num disconnects "$soak"), CPU $(fmt "$(num cpu_s_per_million "$soak")" 1) s per 1M states."
      echo "Live heap after a full GC, one minute into the window / half-way / at its end:" \
        "$(num start_live_heap_mb "$line") / $(num mid_live_heap_mb "$line") / $(num end_live_heap_mb "$line") MB;" \
        "RSS at the same moments $(num start_rss_mb "$line") / $(num mid_rss_mb "$line") / $(num end_rss_mb "$line") MB."
      echo
      echo "| t s | RSS MB | heap used MB | old gen used MB |"
      echo "|---|---|---|---|"
      # every third sample keeps the table short; the CSV has them all
      awk -F, 'NR > 1 && (NR - 2) % 3 == 0 { printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$BENCH_DIR/runs/soak-rss.csv"
      echo
    fi
    echo "Raw figures: results.jsonl (one JSON line per run); each run's output and per-second CSV: runs/."
  } >"$md"
  log "wrote $md"
}

# ------------------------------------------------------------------ main

if [[ ! -f $TICKROOM_JAR || ! -f $LOADTEST_JAR ]]; then
  log "$TICKROOM_JAR or $LOADTEST_JAR is missing: building them"
  mvn -B -ntp -q -DskipTests package
fi
[[ -f $LOADTEST_JAR ]] || die "$LOADTEST_JAR is missing"
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA)"
mkdir -p "$BENCH_DIR/runs"
log "results go to $BENCH_DIR"

case "$MODE" in
  sweep) sweep && echo_load ;;
  arena) sweep ;;
  echo) echo_load ;;
  memory) memory ;;
  soak) soak ;;
  all) sweep && echo_load && memory && soak ;;
esac
report
cat "$BENCH_DIR/results.md"
