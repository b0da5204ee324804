#!/bin/sh
# A service (and its children) that ignores SIGTERM: only SIGKILL ends it.
trap '' TERM
sleep 300 &
while :; do sleep 0.2; done
