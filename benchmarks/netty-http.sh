#!/usr/bin/env bash
# Issue 10's end-to-end benchmark: a Netty 4.2 HTTP server on loopback (one event-loop thread,
# a 4 KiB direct-buffer body per request) under wrk (Debian package `wrk`), with Netty's pooled
# allocator and with -Dio.netty.allocator.type=unpooled (one direct buffer allocated and freed
# per request), without the agent and with -javaagent:alloc.jar=limit=1g (sites on), on JDK 17
# and 25.
#
# Measured in pairs, so that a shared machine's swings (±25 % from one round to the next) fall on
# both sides of a ratio: for each JDK and allocator both servers (no agent, agent) start side by
# side and are warmed up, then PAIRS pairs of short wrk runs alternate between them (ABBA order,
# so a drift within a pair cancels over two pairs); only the server under load runs, the other
# sits idle in its selector. The server is pinned to SERVER_CPU and wrk to WRK_CPU (taskset;
# PIN=0 turns it off), the JVM told it has all the machine's CPUs (-XX:ActiveProcessorCount) so
# its GC and compiler threads are as without the pinning. Each run also reads the server
# process's CPU time (/proc/<pid>/stat, all threads) and wrk's request count: CPU time per
# request, the second figure, which another tenant's load moves far less than requests/s.
# The table gives the medians per configuration and the median (and range) of the per-pair
# ratios agent / no agent. ROUNDS repeats the whole (servers restarted).
#   benchmarks/netty-http.sh            (after mvn -q -B package -DskipTests)
# Environment: ROUNDS (1), PAIRS (8), DURATION (3 s per run), WARMUP (10 s per server, pinned: JDK 25 needs
# it to finish compiling), CONNECTIONS (16), PIN (1), SERVER_CPU (1), WRK_CPU (0), JDK17, JDK25.
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${ROUNDS:-1}
PAIRS=${PAIRS:-8}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-16}
PIN=${PIN:-1}
SERVER_CPU=${SERVER_CPU:-1}
WRK_CPU=${WRK_CPU:-0}
jar=benchmarks/target/benchmarks.jar
agent=agent/target/alloc.jar
command -v wrk >/dev/null || { echo "netty-http.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -f "$jar" ] && [ -f "$agent" ] || { echo "netty-http.sh: build first: mvn -q -B package -DskipTests" >&2; exit 1; }
server_pin=() wrk_pin=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null; then
  server_pin=(taskset -c "$SERVER_CPU") wrk_pin=(taskset -c "$WRK_CPU")
fi
ticks=$(getconf CLK_TCK)

work=$(mktemp -d)
servers=()
stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  servers=()
}
cleanup() { stop_servers; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "netty-http.sh: $1" >&2; cat "$work"/*.err >&2 2>/dev/null || true; exit 1; }

# Starts a server in the background (name java allocator agent-args...); sets port_<name>, pid_<name>.
start() {
  local name=$1 java=$2 allocator=$3; shift 3
  "${server_pin[@]}" "$java" -XX:ActiveProcessorCount="$(nproc)" -Xms256m -Xmx256m \
    -Dio.netty.allocator.type="$allocator" "$@" \
    -cp "$jar" dev.alloc.bench.http.NettyHttpServer 0 >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  servers+=("$pid")
  local port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^listening //p' "$work/$name.out" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || fail "the server ($name) did not start"
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run against server <name>: prints "requests/s cpu-microseconds-per-request".
run() {
  local name=$1 seconds=$2 port pid before after out
  port=port_$name pid=pid_$name
  before=$(cpu_ticks "${!pid}")
  out=$("${wrk_pin[@]}" wrk -t1 -c"$CONNECTIONS" -d"${seconds}s" "http://127.0.0.1:${!port}/") || fail "wrk failed"
  after=$(cpu_ticks "${!pid}")
  echo "$out" | awk -v cpu=$((after - before)) -v hz="$ticks" '
    /requests in/ { n = $1 } /^Requests\/sec:/ { rps = $2 }
    END { if (n == 0 || rps == "") exit 1; printf "%s %.2f\n", rps, cpu / hz * 1e6 / n }' || fail "wrk measured nothing"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

results=$work/results # jdk allocator round pair rps_none cpu_none rps_agent cpu_agent
: >"$results"
for round in $(seq "$ROUNDS"); do
  for jdk in 17 25; do
    home=JDK$jdk; java=${!home}/bin/java
    [ -x "$java" ] || continue
    for allocator in pooled unpooled; do
      start none "$java" "$allocator"
      start agent "$java" "$allocator" "-javaagent:$agent=limit=1g,log=quiet"
      run none "$WARMUP" >/dev/null
      run agent "$WARMUP" >/dev/null
      for pair in $(seq "$PAIRS"); do
        if [ $((pair % 2)) = 1 ]; then
          a=$(run none "$DURATION"); b=$(run agent "$DURATION")
        else
          b=$(run agent "$DURATION"); a=$(run none "$DURATION")
        fi
        echo "$jdk $allocator $round $pair $a $b" >>"$results"
        echo "round $round JDK $jdk $allocator pair $pair: no agent $a, agent $b (requests/s, CPU µs/request)" >&2
      done
      stop_servers
    done
  done
done

echo "| JDK | allocator | pairs | no agent (req/s) | limit=1g (req/s) | with / without, median of pairs (range) | server CPU µs/request, no agent | limit=1g | CPU ratio, median of pairs |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for jdk in 17 25; do
  for allocator in pooled unpooled; do
    rows=$(awk -v j="$jdk" -v a="$allocator" '$1 == j && $2 == a' "$results")
    [ -n "$rows" ] || continue
    n=$(echo "$rows" | wc -l)
    none=$(echo "$rows" | awk '{print $5}' | median)
    with=$(echo "$rows" | awk '{print $7}' | median)
    ratio=$(echo "$rows" | awk '{print 100 * $7 / $5}' | median)
    low=$(echo "$rows" | awk '{print 100 * $7 / $5}' | sort -g | head -1)
    high=$(echo "$rows" | awk '{print 100 * $7 / $5}' | sort -g | tail -1)
    cpu_none=$(echo "$rows" | awk '{print $6}' | median)
    cpu_with=$(echo "$rows" | awk '{print $8}' | median)
    cpu_ratio=$(echo "$rows" | awk '{print $8 / $6}' | median)
    printf '| %s | %s | %d | %.0f | %.0f | %.1f %% (%.1f–%.1f) | %.2f | %.2f | ×%.3f |\n' \
      "$jdk" "$allocator" "$n" "$none" "$with" "$ratio" "$low" "$high" "$cpu_none" "$cpu_with" "$cpu_ratio"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); pinned: $([ ${#server_pin[@]} -gt 0 ] && echo "server CPU $SERVER_CPU, wrk CPU $WRK_CPU" || echo no)"
