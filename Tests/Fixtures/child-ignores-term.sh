#!/bin/sh
# The leader exits at once on SIGTERM; its child ignores SIGTERM and lives on in the group.
sh -c 'trap "" TERM; while :; do sleep 0.2; done' &
trap 'exit 0' TERM
while :; do sleep 0.2; done
