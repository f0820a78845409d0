#!/usr/bin/env bash
# Issue 11's mixed churn (dev.alloc.bench.pool.PoolMixedChurn): wall and CPU time of the churn
# and RSS (peak RSS per peak live byte, RSS 2 s after everything was freed per peak RSS), with
# no agent, the agent with the system allocator and with each pool (limit=1g, sites on),
# interleaved launch by launch on JDK 25 and 17; each cell is the median of LAUNCHES launches,
# every launch is printed too. Needs a built tree (mvn package).
#   LAUNCHES=3 OPS=30000 SLOTS=256 [AGENT=other/alloc.jar] benchmarks/pool-churn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
LAUNCHES=${LAUNCHES:-3}
OPS=${OPS:-30000}
SLOTS=${SLOTS:-256}
CONFIGS=${CONFIGS:-none system slab tlsf arena buddy}
agent=${AGENT:-agent/target/alloc.jar}
jar=${JAR:-benchmarks/target/benchmarks.jar}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for launch in $(seq "$LAUNCHES"); do
  for jdk in 25 17; do
    home=JDK$jdk
    java=${!home}/bin/java
    [ -x "$java" ] || continue
    for config in $CONFIGS; do
      case $config in
        none) args=() ;;
        system) args=("-javaagent:$agent=limit=1g,log=quiet") ;;
        *) args=("-javaagent:$agent=limit=1g,strategy=$config,log=quiet") ;;
      esac
      result=$("$java" -Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=2g "${args[@]}" \
        -cp "$jar" dev.alloc.bench.pool.PoolMixedChurn "$OPS" "$SLOTS" 2>/dev/null | grep '^RESULT')
      line="$jdk $config $result load=$(cut -d' ' -f1 /proc/loadavg)"
      echo "$line" >&2
      echo "$line" >>"$out"
    done
  done
done

# median of a field over the launches of one (jdk, config)
median() {
  grep "^$1 $2 " "$out" | tr ' ' '\n' | sed -n "s/^$3=//p" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
echo "| JDK | allocator | wall (s) | CPU (s) | CPU ÷ no agent | wall ÷ no agent | peak RSS ÷ peak live | RSS 2 s after all freed ÷ peak RSS |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for jdk in 25 17; do
  grep -q "^$jdk " "$out" || continue
  none_cpu=$(median "$jdk" none cpuMs)
  none_wall=$(median "$jdk" none wallMs)
  for config in $CONFIGS; do
    wall=$(median "$jdk" "$config" wallMs)
    cpu=$(median "$jdk" "$config" cpuMs)
    peak=$(median "$jdk" "$config" peakPerLive)
    after=$(median "$jdk" "$config" afterPerPeak)
    awk -v j="$jdk" -v c="$config" -v w="$wall" -v u="$cpu" -v nw="${none_wall:-0}" -v nu="${none_cpu:-0}" -v p="$peak" -v a="$after" 'BEGIN {
      ur = nu > 0 ? sprintf("×%.2f", u / nu) : ""; wr = nw > 0 ? sprintf("×%.2f", w / nw) : ""
      printf "| %s | %s | %.2f | %.2f | %s | %s | %.2f | %.1f%% |\n", j, c, w / 1000, u / 1000, ur, wr, p, 100 * a }'
  done
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $LAUNCHES launches, $OPS operations per thread, $SLOTS slots per thread"
