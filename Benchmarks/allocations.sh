#!/usr/bin/env bash
# Counts the server's heap allocations (valgrind) for N and 10N echoed messages in each mode
# that echoes: equal totals mean no allocation per message in steady state.
# Usage: Benchmarks/allocations.sh [N]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
swift build -c release --scratch-path .build-release --product selectscope >/dev/null
bin=.build-release/release/selectscope
# valgrind cannot read the toolchain's DWARF 5: measure a stripped copy.
stripped=$(mktemp)
strip -o "$stripped" "$bin"
port=$((20000 + RANDOM % 20000))
for mode in 2 3 4 5; do
  for backend in select epoll; do
    line="mode $mode $backend:"
    for count in "$n" $((10 * n)); do
      log=$(mktemp)
      valgrind --tool=memcheck --leak-check=no "$stripped" server --mode "$mode" --backend "$backend" \
        --port "$port" --log none >/dev/null 2>"$log" &
      pid=$!
      for _ in $(seq 1 400); do ss -ltn | grep -q ":$port " && break; sleep 0.05; done
      "$bin" client --kind echo --port "$port" --count "$count" --interval 0 >/dev/null 2>&1
      kill -TERM "$pid"; wait "$pid" || true
      allocs=$(grep -o 'total heap usage: [0-9,]* allocs' "$log" | grep -o '[0-9,]* allocs')
      line="$line  $count echoes: $allocs"
      rm -f "$log"
    done
    echo "$line"
  done
done
rm -f "$stripped"
