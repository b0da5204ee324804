#!/bin/sh
# A service that needs about half a second to shut down cleanly after SIGTERM, then writes a
# file saying it did.
trap 'sleep 0.5; echo clean > "$1"; exit 0' TERM
while :; do sleep 0.1; done
