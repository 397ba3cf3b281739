"""A select() server for exercise N of the homework, written to pass every check of
`selectscope check`: the homework's loop (inputs, outputs, message_queues) plus what its own
code does not survive. The broken variants next to it each turn one thing off.

    run(exercise, reuse=True, catch_reset=True, leave_outputs=True, timeout=None|seconds,
        direct=None, bounded=True, refuse_past_fd_setsize=True, mangle=None)
"""
import errno
import socket
from select import select

FD_SETSIZE = 1024
CAP = 64 * 1024


def run(exercise, reuse=True, catch_reset=True, leave_outputs=True, timeout="exercise",
        direct=None, bounded=True, refuse_past_fd_setsize=True, mangle=None, port=1234):
    if timeout == "exercise":
        timeout = 2 if exercise == 5 else None
    if direct is None:
        direct = exercise in (3, 5)
    sends = exercise != 1

    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('localhost', port))
    server.listen(128)

    inputs = [server]
    outputs = []
    message_queues = {}
    finished = set()  # peers that sent EOF: drain, then close
    paused = set()

    def close(s):
        for lst in (inputs, outputs):
            if s in lst:
                lst.remove(s)
        message_queues.pop(s, None)
        finished.discard(s)
        paused.discard(s)
        s.close()

    def queued(s):
        return sum(len(m) for m in message_queues.get(s, []))

    def send_head(s):
        data = message_queues[s][0]
        try:
            sent = s.send(data)
        except BlockingIOError:
            return
        except OSError:
            if not catch_reset:
                raise
            close(s)
            return
        if sent < len(data):
            message_queues[s][0] = data[sent:]
        else:
            message_queues[s].pop(0)

    while inputs or outputs:
        args = (inputs, outputs, inputs) if timeout is None else (inputs, outputs, inputs, timeout)
        readable, writable, exceptional = select(*args)
        if not (readable or writable or exceptional):
            print('timeout')
            continue
        for s in readable:
            if s not in message_queues and s is not server:
                continue
            if s is server:
                connection, address = s.accept()
                if refuse_past_fd_setsize and connection.fileno() >= FD_SETSIZE:
                    connection.close()
                    continue
                connection.setblocking(0)
                inputs.append(connection)
                message_queues[connection] = []
                continue
            try:
                data = s.recv(1024)
            except OSError:
                if not catch_reset:
                    raise
                close(s)
                continue
            if not data:
                if sends and message_queues[s]:
                    inputs.remove(s)
                    finished.add(s)
                    if s not in outputs:
                        outputs.append(s)
                else:
                    close(s)
                continue
            if mangle:
                data = mangle(data)
            if not sends:
                message_queues[s].append(data)
            elif direct and not message_queues[s]:
                try:
                    sent = s.send(data)
                except BlockingIOError:
                    sent = 0
                except OSError:
                    if not catch_reset:
                        raise
                    close(s)
                    continue
                if sent < len(data):
                    message_queues[s].append(data[sent:])
                    outputs.append(s)
            else:
                message_queues[s].append(data)
                if s not in outputs:
                    outputs.append(s)
            if bounded and queued(s) >= CAP and s in inputs:
                inputs.remove(s)
                paused.add(s)
        for s in writable:
            if s not in message_queues:
                continue
            if message_queues[s]:
                send_head(s)
                if s not in message_queues:
                    continue
                if not message_queues[s] and direct and leave_outputs:
                    outputs.remove(s)
            elif leave_outputs:
                outputs.remove(s)
            if s in message_queues and not message_queues[s] and s in finished:
                close(s)
                continue
            if s in paused and queued(s) <= CAP // 2:
                paused.discard(s)
                inputs.append(s)
        for s in exceptional:
            if s in message_queues:
                close(s)


if __name__ == '__main__':
    import sys
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
