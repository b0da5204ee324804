#!/usr/bin/env python3
"""A service that writes to FILE, at startup, whether 127.0.0.1:PORT accepts connections
("open" or "closed"), then sleeps until it is signalled. Usage: port-at-start.py PORT FILE"""
import signal
import socket
import sys

probe = socket.socket()
state = "open" if probe.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else "closed"
probe.close()
with open(sys.argv[2], "w") as record:
    record.write(state + "\n")
signal.pause()
