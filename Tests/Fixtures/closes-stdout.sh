#!/bin/sh
# A service that closes its stdout and stderr, then keeps running with a child.
exec >&- 2>&-
sleep 300 &
wait
