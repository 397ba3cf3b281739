#!/usr/bin/env python3
"""What tracing costs a traced program: the homework's exercise-4 server (its prints replaced
by `pass`, so the terminal is not what is measured) loaded by `selectscope bench` (ping-pong,
every byte checked), side by side in one run:

  untraced                    python3 server.py
  trace readiness             selectscope trace --events readiness --log none -- python3 server.py
                              (as root the calls are read in the kernel: the program never stops)
  trace readiness (ptrace)    the same with --reader ptrace: a stop at each call's entry and exit
  trace sockets               selectscope trace --events sockets --log none --trace /dev/null -- …
  strace seccomp readiness    strace -f --seccomp-bpf -e trace=pselect6 -o /dev/null python3 …
  strace seccomp sockets      strace -f --seccomp-bpf -e trace=<the same calls as trace sockets> …
  attach (trace --pid)        selectscope trace --pid PID --log none --trace /dev/null
  attach readiness            selectscope trace --pid PID --events readiness --log none (read in the kernel as root)
  attach (strace -p)          strace -f -p PID -e trace=<the same calls> -o /dev/null

Usage: Benchmarks/trace_overhead.py [--connections 10] [--size 64] [--duration 3] [--repeat 3]
                                    [--binary PATH] [--out FILE] [--cases NAME ...]
Server on core 0 (with its tracer), load generator on core 1, as Benchmarks/run.py does.
Besides the rates, the CPU time the server and its tracer used per message (from
/proc/PID/task/TID/schedstat), and the same three ratios computed from it: on a shared machine
the rates swing with other work, the CPU per message much less.
"""
import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = tempfile.mkdtemp(prefix="selectscope-trace-bench-")
atexit.register(shutil.rmtree, WORK, True)
SOCKET_CALLS = "pselect6,select,poll,ppoll,epoll_wait,epoll_pwait,epoll_ctl,bind,listen,socket,accept,accept4,connect," \
               "recvfrom,recvmsg,read,sendto,sendmsg,write,shutdown,close,setsockopt,dup,dup2,dup3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu, argv):
    if shutil.which("taskset") and os.cpu_count() and os.cpu_count() >= 2:
        return ["taskset", "-c", str(cpu)] + argv
    return argv


def wait_listening(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def server_code(binary, port):
    code = subprocess.run([binary, "seed", "4", "server", "--port", str(port)], check=True,
                          capture_output=True, text=True).stdout
    lines = []
    for line in code.splitlines():
        stripped = line.lstrip()
        lines.append(line[: len(line) - len(stripped)] + "pass" if stripped.startswith("print(") else line)
    path = os.path.join(WORK, "server4_quiet_%d.py" % port)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def process_tree(root):
    """The pid and its descendants (a tracer and the program it started)."""
    pids, todo = set(), [root]
    while todo:
        pid = todo.pop()
        pids.add(pid)
        try:
            for task in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                    todo.extend(int(child) for child in f.read().split())
        except OSError:
            pass
    return pids


def cpu_seconds(pids):
    """CPU time used so far by every thread of these processes (/proc/PID/task/TID/schedstat)."""
    total = 0
    for pid in pids:
        try:
            for task in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                    total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def bench(binary, port, args, watched=()):
    """Loads the server; adds the CPU time the server and its tracer used per message, which
    a busy machine disturbs far less than the rate (other work delays them, it does not make
    them do more)."""
    pids = set()
    for pid in watched:
        pids |= process_tree(pid)
    before = cpu_seconds(pids)
    out = subprocess.run(pinned(1, [binary, "bench", "--port", str(port), "--connections", str(args.connections),
                                    "--size", str(args.size), "--duration", str(args.duration), "--json"]),
                         capture_output=True, text=True, timeout=args.duration + 60)
    used = cpu_seconds(pids) - before
    try:
        result = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": out.stdout + out.stderr}
    messages = result.get("messages_per_s", 0) * args.duration
    if pids and messages > 0:
        result["cpu_us_per_message"] = used * 1e6 / messages
    return result


def run_case(name, binary, python, args):
    port = free_port()
    path = server_code(binary, port)
    procs = []
    try:
        if name in ("attach (trace --pid)", "attach readiness", "attach (strace -p)"):
            server = subprocess.Popen(pinned(0, [python, path]), start_new_session=True)
            procs.append(server)
            if not wait_listening(port):
                return {"error": "server did not listen"}
            if name == "attach (trace --pid)":
                tracer = [binary, "trace", "--pid", str(server.pid), "--log", "none", "--trace", "/dev/null"]
            elif name == "attach readiness":
                tracer = [binary, "trace", "--pid", str(server.pid), "--events", "readiness", "--log", "none"]
            else:
                tracer = ["strace", "-f", "-p", str(server.pid), "-e", "trace=" + SOCKET_CALLS, "-o", "/dev/null"]
            procs.append(subprocess.Popen(pinned(0, tracer), stderr=subprocess.DEVNULL))
            time.sleep(1.0)  # both tracers attach within milliseconds; the bench needs them on
        else:
            argv = {
                "untraced": [python, path],
                "trace readiness": [binary, "trace", "--events", "readiness", "--log", "none", "--", python, path],
                "trace readiness (ptrace)": [binary, "trace", "--events", "readiness", "--reader", "ptrace", "--log", "none",
                                             "--", python, path],
                "trace sockets": [binary, "trace", "--events", "sockets", "--log", "none", "--trace", "/dev/null", "--", python, path],
                "strace seccomp readiness": ["strace", "-f", "--seccomp-bpf", "-e", "trace=pselect6", "-o", "/dev/null", python, path],
                "strace seccomp sockets": ["strace", "-f", "--seccomp-bpf", "-e", "trace=" + SOCKET_CALLS, "-o", "/dev/null", python, path],
            }[name]
            # A session of its own: strace detaches (and leaves the server running) on SIGTERM,
            # so the whole group is killed at the end.
            procs.append(subprocess.Popen(pinned(0, argv), stderr=subprocess.DEVNULL, start_new_session=True))
            if not wait_listening(port):
                return {"error": "server did not listen"}
        return bench(binary, port, args, watched=[proc.pid for proc in procs])
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGINT if proc is procs[-1] and len(procs) > 1 else signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if proc.poll() is None:
                proc.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--duration", type=float, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--binary")
    parser.add_argument("--out")
    parser.add_argument("--cases", nargs="+", help="run only these cases (untraced is always run)")
    args = parser.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "selectscope"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "selectscope")
    python = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], capture_output=True, text=True).stdout.strip()
    cases = ["untraced", "trace readiness", "trace readiness (ptrace)", "trace sockets", "strace seccomp readiness",
             "strace seccomp sockets", "attach (trace --pid)", "attach readiness", "attach (strace -p)"]
    if args.cases:
        unknown = [case for case in args.cases if case not in cases]
        if unknown:
            parser.error("unknown cases %s; the cases are: %s" % (unknown, ", ".join(cases)))
        cases = ["untraced"] + [case for case in cases if case in args.cases and case != "untraced"]
    results = {case: [] for case in cases}
    cpu = {case: [] for case in cases}
    for _ in range(args.repeat):
        for case in cases:  # the cases take turns, so a slow minute on the VM hits them all
            result = run_case(case, binary, python, args)
            rate = result.get("messages_per_s")
            if rate is None:
                print("%s: %s" % (case, result), file=sys.stderr)
            results[case].append(rate or 0)
            if result.get("cpu_us_per_message"):
                cpu[case].append(result["cpu_us_per_message"])
            print("%-26s %s  %.2f us CPU/message" % (case, rate, result.get("cpu_us_per_message", 0)), file=sys.stderr)
    base = statistics.median(results["untraced"]) or 1
    cpu_median = lambda case: statistics.median(cpu[case]) if cpu[case] else 0
    lines = ["| N × size | tracing | messages/s (median) | best | × untraced | CPU µs/message (median) |",
             "|---|---|---|---|---|---|"]
    for case in cases:
        median = statistics.median(results[case])
        lines.append("| %d × %d B | %s | %.0f | %.0f | %.2f | %.2f |" % (args.connections, args.size, case, median,
                                                                         max(results[case]), median / base, cpu_median(case)))
    ratio = lambda a, b: statistics.median(results[a]) / (statistics.median(results[b]) or 1)
    cpu_ratio = lambda a, b: cpu_median(b) / (cpu_median(a) or 1)
    targets = [("trace readiness / untraced", "trace readiness", "untraced", "≥ 0.9"),
               ("trace readiness (ptrace) / untraced", "trace readiness (ptrace)", "untraced", "—"),
               ("trace sockets / strace --seccomp-bpf sockets", "trace sockets", "strace seccomp sockets", "≥ 1.0"),
               ("trace --pid / strace -p", "attach (trace --pid)", "attach (strace -p)", "≥ 1.0"),
               ("trace --pid --events readiness / untraced", "attach readiness", "untraced", "—")]
    # Each round runs every case once, one after the other: a slow spell of the VM tends to
    # hit a whole round, so the ratio within each round is steadier than the ratio of medians.
    per_round = lambda a, b: statistics.median(x / y for x, y in zip(results[a], results[b]) if x and y)
    lines.append("")
    for label, a, b, target in targets:
        if a in cases and b in cases:
            lines.append("%s: %.2f (target %s); median of the rounds' ratios %.2f; by CPU per message (the program and "
                         "its tracer) %.2f" % (label, ratio(a, b), target, per_round(a, b), cpu_ratio(a, b)))
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
