#!/usr/bin/env bash
# Issue 11's mixed churn (dev.alloc.bench.pool.PoolMixedChurn): wall and CPU time of the churn
# and RSS (peak RSS per peak live byte, RSS 2 s after everything was freed per peak RSS), with
# no agent, the agent with the system allocator and with each pool (limit=1g, sites on),
# interleaved launch by launch on JDK 25 and 17 (the order of the configurations turns by one each
# launch, so that none of them always follows the same one); each cell is the median of LAUNCHES
# launches, every launch is printed too. CPU is the process's (user+sys, JIT and GC threads
# included) during the measured round, also split into user and sys, beside the two churn
# threads' own CPU and the JIT's compilation time in that round; "÷ no agent" is the median
# of the per-launch ratios (each configuration against the no-agent launch of the same round,
# which a shared machine's load moves together), the median of medians beside it in brackets.
# Needs a built tree (mvn package).
#   LAUNCHES=5 OPS=30000 SLOTS=256 [AGENT=other/alloc.jar] benchmarks/pool-churn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
LAUNCHES=${LAUNCHES:-5}
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
    read -ra all <<<"$CONFIGS"
    turn=$(( (launch - 1) % ${#all[@]} ))
    for config in "${all[@]:turn}" "${all[@]:0:turn}"; do
      case $config in
        none) args=() ;;
        system) args=("-javaagent:$agent=limit=1g,log=quiet") ;;
        *) args=("-javaagent:$agent=limit=1g,strategy=$config,log=quiet") ;;
      esac
      result=$("$java" -Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:MaxDirectMemorySize=2g "${args[@]}" \
        -cp "$jar" dev.alloc.bench.pool.PoolMixedChurn "$OPS" "$SLOTS" 2>/dev/null | grep '^RESULT')
      line="$jdk $config launch=$launch $result load=$(cut -d' ' -f1 /proc/loadavg)"
      echo "$line" >&2
      echo "$line" >>"$out"
    done
  done
done

# median of a field over the launches of one (jdk, config)
median() {
  grep "^$1 $2 " "$out" | tr ' ' '\n' | sed -n "s/^$3=//p" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
# median over the launches of (field of config) / (field of none in the same launch)
ratio() {
  awk -v j="$1" -v c="$2" -v f="$3" '
    { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if ($1 == j && $2 == "none") base[v["launch"]] = v[f]
      if ($1 == j && $2 == c) mine[v["launch"]] = v[f] }
    END { for (l in mine) if (base[l] > 0) print mine[l] / base[l] }' "$out" |
    sort -g | awk '{v[NR]=$1} END {if (NR) printf "%.2f", v[int((NR+1)/2)]}'
}
echo "| JDK | allocator | wall (s) | CPU (s) | user / sys (s) | CPU ÷ no agent | wall ÷ no agent | churn threads' CPU (s) | ÷ no agent | JIT (s) | peak RSS ÷ peak live | RSS 2 s after all freed ÷ peak RSS |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for jdk in 25 17; do
  grep -q "^$jdk " "$out" || continue
  none_cpu=$(median "$jdk" none cpuMs)
  none_wall=$(median "$jdk" none wallMs)
  for config in $CONFIGS; do
    wall=$(median "$jdk" "$config" wallMs)
    cpu=$(median "$jdk" "$config" cpuMs)
    user=$(median "$jdk" "$config" userMs)
    sys=$(median "$jdk" "$config" sysMs)
    peak=$(median "$jdk" "$config" peakPerLive)
    after=$(median "$jdk" "$config" afterPerPeak)
    worker=$(median "$jdk" "$config" workerCpuMs)
    jit=$(median "$jdk" "$config" jitMs)
    kr=$(ratio "$jdk" "$config" workerCpuMs)
    cr=$(ratio "$jdk" "$config" cpuMs)
    wr=$(ratio "$jdk" "$config" wallMs)
    awk -v j="$jdk" -v c="$config" -v w="$wall" -v u="$cpu" -v us="$user" -v sy="$sys" -v nw="${none_wall:-0}" -v nu="${none_cpu:-0}" \
        -v cr="$cr" -v wr="$wr" -v k="$worker" -v kr="$kr" -v jt="$jit" -v p="$peak" -v a="$after" 'BEGIN {
      ur = nu > 0 ? sprintf("×%s (×%.2f)", cr, u / nu) : ""; wrs = nw > 0 ? sprintf("×%s (×%.2f)", wr, w / nw) : ""
      printf "| %s | %s | %.2f | %.2f | %.2f / %.2f | %s | %s | %.2f | ×%s | %.2f | %.2f | %.1f%% |\n", j, c, w / 1000, u / 1000, us / 1000, sy / 1000, ur, wrs, k / 1000, kr, jt / 1000, p, 100 * a }'
  done
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $LAUNCHES launches, $OPS operations per thread, $SLOTS slots per thread; $(date -u +%H:%M) UTC"
