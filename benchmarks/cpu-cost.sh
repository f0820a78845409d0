#!/usr/bin/env bash
# CPU time per allocate+free pair (dev.alloc.bench.CpuCost: the fastest of hundreds of short
# rounds, so it holds on a loaded machine where JMH's wall-clock figures do not): no agent, the
# agent with limit=1g (sites on) and optionally an older agent jar, interleaved launch by launch, on JDK 17 and 25, 1 and 2 threads; each cell is
# the best of LAUNCHES launches. Needs a built tree (benchmarks/run.sh or mvn package).
# CONFIGS adds pools (limit=1g,strategy=<name>: slab, tlsf, arena, buddy) to none and limit
# (the system allocator); BENCHES picks the pairs (unsafe64, unsafe4k, unsafe16k, direct4k).
#   [CONFIGS="none limit slab tlsf arena"] [BENCHES="unsafe64 unsafe4k unsafe16k direct4k"] benchmarks/cpu-cost.sh [older-alloc.jar]
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
LAUNCHES=${LAUNCHES:-3}
PAIRS=${PAIRS:-50000}
ROUNDS=${ROUNDS:-400}
agent=${AGENT:-agent/target/alloc.jar}
older=${1:-}
jar=${JAR:-benchmarks/target/benchmarks.jar}

read -ra configs <<<"${CONFIGS:-none limit}"
[ -n "$older" ] && configs+=(older)
read -ra benches <<<"${BENCHES:-unsafe64 direct4k}"

declare -A best
for launch in $(seq "$LAUNCHES"); do
  for jdk in 17 25; do
    home=JDK$jdk
    java=${!home}/bin/java
    [ -x "$java" ] || continue
    for bench in "${benches[@]}"; do
      for threads in 1 2; do
        for config in "${configs[@]}"; do
          case $config in
            none) args=() ;;
            limit) args=("-javaagent:$agent=limit=1g,log=quiet") ;;
            older) args=("-javaagent:$older=limit=1g,log=quiet") ;;
            *) args=("-javaagent:$agent=limit=1g,strategy=$config,log=quiet") ;;
          esac
          ns=$("$java" -Xms512m -Xmx512m "${args[@]}" -cp "$jar" dev.alloc.bench.CpuCost "$threads" "$bench" "$PAIRS" "$ROUNDS" 2>/dev/null | tail -1)
          key="$jdk|$bench|$threads|$config"
          prev=${best[$key]:-}
          if [ -z "$prev" ] || awk "BEGIN{exit !($ns < $prev)}"; then best[$key]=$ns; fi
        done
      done
    done
  done
done

echo "| JDK | pair | threads | $(printf '%s | ' "${configs[@]}")limit - none |"
echo "|---|---|---:|$(printf -- '---:|%.0s' "${configs[@]}")---:|"
for jdk in 17 25; do
  for bench in "${benches[@]}"; do
    for threads in 1 2; do
      row="| $jdk | $bench | $threads |"
      for config in "${configs[@]}"; do row+=" ${best[$jdk|$bench|$threads|$config]:-} |"; done
      none=${best[$jdk|$bench|$threads|none]:-0}
      limit=${best[$jdk|$bench|$threads|limit]:-0}
      row+=" $(awk "BEGIN{printf \"%+.1f\", $limit - $none}") |"
      echo "$row"
    done
  done
done
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%H:%M) UTC"
