#!/usr/bin/env bash
# Issue 10's end-to-end benchmark: a Netty 4.2 HTTP server on loopback (one event-loop thread,
# a 4 KiB direct-buffer body per request) under wrk (Debian package `wrk`), with Netty's pooled
# allocator and with -Dio.netty.allocator.type=unpooled (one direct buffer allocated and freed
# per request), without the agent and with -javaagent:alloc.jar=limit=1g (sites on), on JDK 17
# and 25. Configurations run interleaved, ROUNDS times; each cell is the best round's requests/s.
#   benchmarks/netty-http.sh            (after mvn -q -B package -DskipTests)
# Environment: ROUNDS (2), DURATION (8 s measured), WARMUP (5: JDK 25 needs it to finish compiling), CONNECTIONS (16), JDK17, JDK25.
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-16}
jar=benchmarks/target/benchmarks.jar
agent=agent/target/alloc.jar
command -v wrk >/dev/null || { echo "netty-http.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -f "$jar" ] && [ -f "$agent" ] || { echo "netty-http.sh: build first: mvn -q -B package -DskipTests" >&2; exit 1; }

work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Starts the server, waits for its port, runs wrk; prints requests/s. Runs in a subshell ($(...)),
# which has no EXIT trap: every way out stops the server itself.
fail() { kill "$server" 2>/dev/null; echo "netty-http.sh: $1" >&2; [ -f "$work/err" ] && cat "$work/err" >&2; exit 1; }
measure() { # java allocator agent-args...
  local java=$1 allocator=$2; shift 2
  "$java" -Xms256m -Xmx256m -Dio.netty.allocator.type="$allocator" "$@" \
    -cp "$jar" dev.alloc.bench.http.NettyHttpServer 0 >"$work/out" 2>"$work/err" &
  server=$!
  local port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^listening //p' "$work/out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || fail "the server did not start"
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$port/" >/dev/null || fail "wrk failed"
  local rps
  rps=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/" | sed -n 's/^Requests\/sec: *//p')
  [ -n "$rps" ] || fail "wrk measured nothing"
  echo "$rps"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}

declare -A best
for round in $(seq "$ROUNDS"); do
  for jdk in 17 25; do
    home=JDK$jdk; java=${!home}/bin/java
    [ -x "$java" ] || continue
    for allocator in pooled unpooled; do
      for config in none agent; do
        if [ "$config" = agent ]; then
          rps=$(measure "$java" "$allocator" "-javaagent:$agent=limit=1g,log=quiet")
        else
          rps=$(measure "$java" "$allocator")
        fi
        key="$jdk|$allocator|$config"
        prev=${best[$key]:-0}
        if awk "BEGIN{exit !($rps > $prev)}"; then best[$key]=$rps; fi
        echo "round $round JDK $jdk $allocator $config: $rps requests/s" >&2
      done
    done
  done
done

echo "| JDK | allocator | no agent (req/s) | limit=1g (req/s) | with / without |"
echo "|---|---|---:|---:|---:|"
for jdk in 17 25; do
  for allocator in pooled unpooled; do
    none=${best["$jdk|$allocator|none"]:-}
    with=${best["$jdk|$allocator|agent"]:-}
    [ -n "$none" ] && [ -n "$with" ] || continue
    echo "| $jdk | $allocator | $none | $with | $(awk "BEGIN{printf \"%.1f %%\", 100 * $with / $none}") |"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
