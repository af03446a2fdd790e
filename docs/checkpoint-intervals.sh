#!/usr/bin/env bash
# The checkpoint-interval table of docs/delivery.md: for at-least-once and for exactly-once at each
# checkpoint interval, one fresh `deeprec run` (embedded broker, MiniCluster, rmc1 at its defaults):
# 30 s at 40 queries/s timed end to end by a read_committed consumer, then a ladder of rates on the
# same job for its latency-bounded throughput. Writes one log per configuration and prints the table.
#   docs/checkpoint-intervals.sh [OUT_DIR] [LADDER]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench-results/checkpoint-intervals}"
ladder="${2:-40,60,80,100,125,150,175}"
mkdir -p "$out"
configs=("at-least-once 2000ms 2" "at-least-once 200ms 2" "exactly-once 100ms 2" "exactly-once 200ms 2" "exactly-once 500ms 2"
  "exactly-once 1000ms 2" "exactly-once 2000ms 2")
for config in "${configs[@]}"; do
  read -r delivery interval parallelism <<<"$config"
  log="$out/$delivery-$interval-p$parallelism.log"
  echo "== $delivery, checkpoint interval $interval, parallelism $parallelism -> $log" >&2
  ./deeprec run --delivery "$delivery" --checkpoint-interval "$interval" --parallelism "$parallelism" --rate 40 --duration 30s \
    --ladder "$ladder" --step-duration 15s >"$log" 2>&1 || echo "   (run exited non-zero: see $log)" >&2
done
printf '| delivery | checkpoint interval | parallelism | e2e p50 / p95 / p99 at 40 q/s (ms) | sink to consumer p50 / p95 (ms) | LBT end to end (q/s) | LBT by the job'"'"'s own p95 (q/s) |\n|---|---|---|---|---|---|---|\n'
for config in "${configs[@]}"; do
  read -r delivery interval parallelism <<<"$config"
  log="$out/$delivery-$interval-p$parallelism.log"
  e2e=$(grep -m1 '^  end-to-end' "$log" | sed -E 's/.*p50 ([0-9.]+) ms +p95 ([0-9.]+) ms +p99 ([0-9.]+) ms.*/\1 \/ \2 \/ \3/')
  lbt=$(grep -m1 'latency-bounded throughput' "$log" | sed -E 's/.*: ([0-9.]+) queries\/s end to end, ([0-9.]+) by.*/\1 | \2/')
  sink=$(grep -m1 '^    sink ' "$log" | sed -E 's/^ +sink +([0-9.]+) \/ +([0-9.]+).*/\1 \/ \2/')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$delivery" "$interval" "$parallelism" "${e2e:-?}" "${sink:-?}" "${lbt:-? | ?}"
done
