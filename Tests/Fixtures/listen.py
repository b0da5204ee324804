#!/usr/bin/env python3
"""A service that listens on 127.0.0.1:PORT after DELAY seconds (default 0) and accepts
connections until it is signalled. Usage: listen.py PORT [DELAY]"""
import socket
import sys
import time

port = int(sys.argv[1])
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 0)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(16)
while True:
    connection, _ = server.accept()
    connection.close()
