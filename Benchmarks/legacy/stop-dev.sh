#!/usr/bin/env bash
# stop-dev.sh — the kind of script devctl replaces, kept as the benchmark's baseline.
# It stops only the PIDs it wrote down: SIGTERM to each, a fixed pause, SIGKILL to each, then
# the tracking files go. Children, grandchildren and anything that escaped are never seen.
# Run from the project root; devctl-bench drives it on services devctl started.

PID_FILE=".pids/services.pids"

if [ ! -f "$PID_FILE" ]; then
  echo "no $PID_FILE: nothing to stop"
  exit 0
fi

while read -r pid; do
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && echo "sent SIGTERM to $pid"
done < "$PID_FILE"

# Give everything time to shut down.
sleep 3

while read -r pid; do
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && echo "killed $pid"
done < "$PID_FILE"

rm -f "$PID_FILE" "$PID_FILE.services" "$PID_FILE.groups"
echo "stopped"
