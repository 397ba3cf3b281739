# A daemon: the started process forks and exits at once; its child starts a new session
# and serves (echo, on select). The tracer must follow the child. With `once`, the child
# exits with status 3 when its first client leaves.
import os, socket, sys, select
if os.fork() > 0:
    print("parent leaving", flush=True)
    sys.exit(0)
os.setsid()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 1234)); s.listen()
conns = []
while True:
    r, _, _ = select.select([s] + conns, [], [])
    for c in r:
        if c is s:
            conns.append(s.accept()[0])
        else:
            d = c.recv(1024)
            if d: c.sendall(d)
            else:
                conns.remove(c); c.close()
                if sys.argv[1:] == ["once"]: sys.exit(3)
