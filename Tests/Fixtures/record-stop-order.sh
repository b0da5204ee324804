#!/bin/sh
# Appends "NAME SECONDS.NANOSECONDS" to FILE when it gets SIGTERM, then exits, so a test can
# read the order in which services were signalled. Usage: record-stop-order.sh FILE NAME
trap 'echo "$2 $(date +%s.%N)" >> "$1"; exit 0' TERM
while :; do sleep 0.1; done
