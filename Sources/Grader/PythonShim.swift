/// The in-process stand-in for the tracer, for Python programs: `select.select` and the
/// socket calls are wrapped before the program runs, every bind() goes to the grader's port,
/// and each call becomes one SPEC §4 record (events: accept, recv, send, close, timeout).
/// Written into the sandbox's scratch directory and run as `python3 shim.py PORT TRACE
/// SCRIPT ARGS…`.
enum PythonShim {
    static let source = #"""
"""Stands in for `selectscope trace` for Python programs: select.select and the socket calls
are wrapped, every bind() goes to PORT, one SPEC §4 JSON line per call goes to TRACE.
usage: python3 shim.py PORT TRACE SCRIPT ARGS...
"""
import json, os, select, socket, sys, time

_port, _trace_path, _script = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.argv = sys.argv[3:]
_trace = open(_trace_path, "w", buffering=1)
_start = time.monotonic()
_state = {"seq": 0, "pending": None, "listener": -1}
_real_select = select.select
_Base = socket.socket


def _fd(s):
    return s if isinstance(s, int) else s.fileno()


def _event(e):
    p = _state["pending"]
    if p is not None:
        p["events"].append(e)


def _flush():
    p = _state["pending"]
    if p is not None:
        _trace.write(json.dumps(p, separators=(",", ":")) + "\n")
        _state["pending"] = None


class _Socket(_Base):
    def bind(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            address = (address[0], _port) + tuple(address[2:])
        return _Base.bind(self, address)

    def listen(self, *args):
        _state["listener"] = self.fileno()
        return _Base.listen(self, *args)

    def accept(self):
        conn, addr = _Base.accept(self)
        _event({"kind": "accept", "fd": conn.fileno(), "peer": "%s:%d" % (addr[0], addr[1])})
        return conn, addr

    def recv(self, n, *flags):
        try:
            data = _Base.recv(self, n, *flags)
        except OSError as error:
            _event({"kind": "recv", "fd": self.fileno(), "bytes": 0, "detail": type(error).__name__})
            raise
        _event({"kind": "recv", "fd": self.fileno(), "bytes": len(data)})
        return data

    def send(self, data, *flags):
        try:
            n = _Base.send(self, data, *flags)
        except OSError as error:
            _event({"kind": "send", "fd": self.fileno(), "bytes": 0, "requested": len(data), "detail": type(error).__name__})
            raise
        e = {"kind": "send", "fd": self.fileno(), "bytes": n}
        if n < len(data):
            e.update({"requested": len(data), "short": True})
        _event(e)
        return n

    def sendall(self, data, *flags):
        e = {"kind": "send", "fd": self.fileno(), "bytes": len(data)}
        _Base.sendall(self, data, *flags)
        _event(e)

    def close(self):
        fd = self.fileno()
        _Base.close(self)
        if fd >= 0:
            _event({"kind": "close", "fd": fd})


socket.socket = _Socket


def _select(rlist, wlist, xlist, *timeout):
    _flush()
    inputs = [_fd(s) for s in rlist]
    outputs = [_fd(s) for s in wlist]
    before = time.monotonic()
    try:
        r, w, x = _real_select(rlist, wlist, xlist, *timeout)
    finally:
        pass
    after = time.monotonic()
    _state["seq"] += 1
    t = timeout[0] if timeout else None
    _state["pending"] = {
        "seq": _state["seq"], "t": round(before - _start, 6), "backend": "select",
        "listener": _state["listener"], "timeout": t, "inputs": inputs, "outputs": outputs,
        "readable": [_fd(s) for s in r], "writable": [_fd(s) for s in w], "exceptional": [_fd(s) for s in x],
        "blocked_ms": round((after - before) * 1000, 3), "events": [],
    }
    if not (r or w or x):
        _event({"kind": "timeout"})
    return r, w, x


select.select = _select

import atexit
atexit.register(_flush)
import runpy
try:
    runpy.run_path(_script, run_name="__main__")
finally:
    _flush()
"""#
}
