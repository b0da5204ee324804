#!/bin/sh
# Writes "$1" megabytes of log lines as fast as it can, then idles.
yes 'devctl log flood: the quick brown fox jumps over the lazy dog' | head -c $(($1 * 1048576))
exec sleep 300
