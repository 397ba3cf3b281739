# Exercise 3 with one line missing: an empty recv (the peer finished sending) is ignored, so
# the socket stays in inputs, select() returns it readable at once on every call, and recv
# returns b'' again and again (a busy loop until the program is stopped).
import socket
from select import select

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
server.listen(5)
inputs = [server]
while inputs:
    readable, writable, exceptional = select(inputs, [], inputs)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            connection.setblocking(0)
            inputs.append(connection)
        else:
            data = s.recv(1024)
            if data:
                s.send(data)
