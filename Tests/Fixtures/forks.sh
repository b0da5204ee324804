#!/bin/sh
# A service that forks "$1" sleeping children into its own process group, then waits for them.
i=0
while [ "$i" -lt "$1" ]; do
    sleep 300 &
    i=$((i + 1))
done
wait
