#!/usr/bin/env bash
# Runs the benchmark suite on JDK 17 and JDK 25 and writes docs/PERFORMANCE.md (see docs/BENCHMARKS.md).
# Takes about 15 minutes on 2 cores. Extra arguments go to dev.alloc.bench.Suite,
# e.g.  benchmarks/run.sh --quick --only 'Unsafe' --configs none,limit --out /tmp/perf.md
#
# JDKs: JDK17 and JDK25 name their homes (defaults: the Debian OpenJDK 17 and Temurin 25 paths).
# The build uses JDK 25 when it is there, so that the FFM benchmark bodies (release 22) are compiled in.
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

jdks=()
[ -x "$JDK17/bin/java" ] && jdks+=(--jdk "17=$JDK17")
[ -x "$JDK25/bin/java" ] && jdks+=(--jdk "25=$JDK25")
if [ ${#jdks[@]} -eq 0 ]; then
  echo "run.sh: neither JDK17=$JDK17 nor JDK25=$JDK25 exists; set them" >&2
  exit 1
fi

build_home=${JAVA_HOME:-}
[ -x "$JDK25/bin/java" ] && build_home=$JDK25
if [ "${SKIP_BUILD:-}" != 1 ]; then
  JAVA_HOME=$build_home mvn -q -B package -DskipTests
fi

# The shipped JFR configuration, wherever the agent module keeps it; absent means "skip that configuration".
jfc=$(find agent/src/main/resources runtime/src/main/resources -name alloc.jfc 2>/dev/null | head -1 || true)

# The runner only forks; JDK 17 runs it without JMH's sun.misc.Unsafe warnings.
runner=$JDK17/bin/java
[ -x "$runner" ] || runner=${build_home:-$JDK25}/bin/java
[ -x "$runner" ] || runner=java
exec "$runner" -jar benchmarks/target/benchmarks.jar \
  --agent agent/target/alloc.jar \
  --classload-jar benchmarks/target/classload.jar \
  --jfc "${jfc:-alloc.jfc}" \
  --work benchmarks/target/work \
  --out docs/PERFORMANCE.md \
  "${jdks[@]}" "$@"
