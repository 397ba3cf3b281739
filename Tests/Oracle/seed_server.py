"""Runs one of the homework's servers unchanged, recording every select() call.

usage: seed_server.py CODE_FILE TRACE_FILE

CODE_FILE is the server as `selectscope seed N server --port P` prints it.

`select.select` is replaced before the seed's code runs (the seed does
`from select import select`, which then picks up the wrapper). Each call appends one JSON
line to TRACE_FILE, flushed at once:
  {"call": n, "listener": fd, "timeout": t|null, "inputs": [...], "outputs": [...],
   "readable": [...], "writable": [...], "exceptional": [...]}
plus {"ready": true, "listener": fd} before the first call (the server is listening),
{"close": fd} whenever the seed closes a socket, and {"crash": "..."} if the seed raises.
The seed's own prints go to stdout as usual.
"""
import json
import select
import socket
import sys
import traceback

code_path, trace_path = sys.argv[1], sys.argv[2]
with open(code_path, encoding="utf-8") as handle:
    code = handle.read()
trace = open(trace_path, "w", buffering=1)


def emit(obj):
    trace.write(json.dumps(obj) + "\n")
    trace.flush()


real_select = select.select
state = {"listener": None, "calls": 0}


def fds(sockets):
    return [s.fileno() for s in sockets]


def traced_select(rlist, wlist, xlist, *timeout):
    if state["listener"] is None:
        state["listener"] = rlist[0].fileno()
        emit({"ready": True, "listener": state["listener"]})
    inputs, outputs = fds(rlist), fds(wlist)
    readable, writable, exceptional = real_select(rlist, wlist, xlist, *timeout)
    state["calls"] += 1
    emit({
        "call": state["calls"],
        "listener": state["listener"],
        "timeout": timeout[0] if timeout else None,
        "inputs": inputs,
        "outputs": outputs,
        "readable": fds(readable),
        "writable": fds(writable),
        "exceptional": fds(exceptional),
    })
    return readable, writable, exceptional


select.select = traced_select

real_close = socket.socket.close


def traced_close(self):
    fd = self.fileno()
    real_close(self)
    if fd >= 0:
        emit({"close": fd})


socket.socket.close = traced_close

try:
    exec(compile(code, code_path, "exec"), {"__name__": "__main__"})
except BaseException as error:  # KeyboardInterrupt/SystemExit included: record why it ended
    if not isinstance(error, (KeyboardInterrupt, SystemExit)):
        emit({"crash": "".join(traceback.format_exception_only(type(error), error)).strip()})
    raise
