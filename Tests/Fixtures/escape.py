#!/usr/bin/env python3
"""A service whose grandchild escapes: double fork, setsid, reparented to PID 1 — a daemon.
It writes the daemon's PID to the file named by argv[1], then idles."""
import os, sys, time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(sys.argv[1] + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        while True:
            time.sleep(1)
    os._exit(0)
while True:
    time.sleep(1)
