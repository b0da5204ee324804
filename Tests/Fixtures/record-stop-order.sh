#!/bin/sh
# Appends "NAME signalled SECONDS.NANOSECONDS" to FILE when it gets SIGTERM, waits EXIT_DELAY
# seconds (default 0), appends "NAME exited SECONDS.NANOSECONDS" and exits, so a test can read the
# order in which services were signalled and whether one was signalled only after another had
# exited. Usage: record-stop-order.sh FILE NAME [EXIT_DELAY]
trap 'echo "$2 signalled $(date +%s.%N)" >> "$1"; sleep "${3:-0}"; echo "$2 exited $(date +%s.%N)" >> "$1"; exit 0' TERM
while :; do sleep 0.1; done
