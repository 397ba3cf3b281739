# Serves one connection, then fails on its data with a traceback: what `watch` shows of a
# program that ends (its status and its last stderr lines).
import socket, select
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 1234)); s.listen()
print("serving")
r, _, _ = select.select([s], [], [])
c, _ = s.accept()
data = c.recv(1024)
print("got", data)
def handle(d):
    return 1 / 0
handle(data)
