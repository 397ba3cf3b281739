# drops_unsent_rest.py done right: what a send did not take stays queued, the socket goes
# into outputs, and the rest is sent when select() says it is writable; at the end of
# stream the queue is sent before the close. The same small send buffer makes the sends
# come up short at once.
import socket
from select import select

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
server.listen(5)
inputs = [server]
outputs = []
pending = {}
finished = set()


def close(s):
    for lst in (inputs, outputs):
        if s in lst:
            lst.remove(s)
    pending.pop(s, None)
    finished.discard(s)
    s.close()


def send_pending(s):
    try:
        sent = s.send(pending[s])
    except BlockingIOError:
        sent = 0
    del pending[s][:sent]


while inputs or outputs:
    readable, writable, exceptional = select(inputs, outputs, inputs)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            connection.setblocking(0)
            inputs.append(connection)
            pending[connection] = bytearray()
            continue
        data = s.recv(1024)
        if not data:
            inputs.remove(s)
            if pending[s]:
                finished.add(s)
            else:
                close(s)
            continue
        pending[s] += data
        if s not in outputs:
            send_pending(s)
            if pending[s]:
                outputs.append(s)
    for s in writable:
        if s not in pending:
            continue
        send_pending(s)
        if not pending[s]:
            outputs.remove(s)
            if s in finished:
                close(s)
