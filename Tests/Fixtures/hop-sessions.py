# A process that keeps leaving: every 50 ms it forks, the parent exits, and the child calls
# setsid — a new PID in a new session each time. Bounded, so it can never outlive a test run.
import os
import sys
import time

for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 2400):
    if os.fork():
        os._exit(0)
    os.setsid()
    time.sleep(0.05)
