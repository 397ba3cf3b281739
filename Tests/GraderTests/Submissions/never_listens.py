# Binds, forgets listen(), and waits in select() on a socket nobody can connect to.
import socket
import time
from select import select

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
for _ in range(600):  # at most 10 minutes, whatever the grader does
    select([server], [], [], 1)
