#!/usr/bin/env bash
# Stops the processes that start-cluster.sh started (by their recorded pids): SIGTERM, then
# SIGKILL after 15 s.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
shopt -s nullglob
for pidfile in "$work"/pids/*.pid; do
  pid="$(cat "$pidfile")"
  if kill "$pid" 2> /dev/null; then
    for _ in $(seq 1 15); do kill -0 "$pid" 2> /dev/null || break; sleep 1; done
    kill -9 "$pid" 2> /dev/null || true
    echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
  fi
  rm -f "$pidfile"
done
