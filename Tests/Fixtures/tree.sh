#!/bin/sh
# A service with a child and a grandchild in its process group.
sleep 300 &
sh -c 'sleep 301 & wait' &
wait
