#!/bin/sh
# A bounded fork bomb that ignores SIGTERM: "$1" levels of "$2" children each, and every process
# keeps forking short-lived children until it is killed, so new PIDs appear while devctl stops it.
# The loop bound keeps it finite where RLIMIT_NPROC is not enforced (for root).
trap '' TERM
depth=$1 width=$2
if [ "$depth" -gt 0 ]; then
    i=0
    while [ "$i" -lt "$width" ]; do
        "$0" $((depth - 1)) "$width" &
        i=$((i + 1))
    done
fi
n=0
while [ "$n" -lt 750 ]; do
    sleep 1 &
    sleep 0.2
    n=$((n + 1))
done
wait
