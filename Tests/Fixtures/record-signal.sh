#!/bin/sh
# Writes the name of the stop signal it received to the file "$1", then exits.
trap 'echo INT > "$1"; exit 0' INT
trap 'echo TERM > "$1"; exit 0' TERM
while :; do sleep 0.1; done
