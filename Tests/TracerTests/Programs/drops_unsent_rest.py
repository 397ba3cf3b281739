# Exercise 3 as the homework writes its send: s.send(data) ignores how many bytes went, so
# once the send buffer is full the rest of each message is lost. (BlockingIOError is caught
# so the loop lives on to show it; the homework's own code dies of it.) A small send buffer
# makes the sends come up short at once, as they do under load.
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
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            connection.setblocking(0)
            inputs.append(connection)
        else:
            data = s.recv(1024)
            if data:
                try:
                    s.send(data)
                except BlockingIOError:
                    pass
            else:
                inputs.remove(s)
                s.close()
