"""Runs one of the homework's clients unchanged except for its pauses.

usage: seed_client.py CODE_FILE COUNT PAUSE

CODE_FILE is the client as `selectscope seed N client --port P` prints it.

The seed's client loops forever with `time.sleep(3)`. Here `time.sleep` sleeps PAUSE
seconds instead, and after the COUNT-th pause it closes the client's socket cleanly (a FIN,
as a client that ends does) and exits 0: the client sends exactly COUNT messages. Its
stdout (the echoes it prints) is the seed's own.
"""
import sys
import time

code_path = sys.argv[1]
count, pause = int(sys.argv[2]), float(sys.argv[3])
with open(code_path, encoding="utf-8") as handle:
    code = handle.read()
namespace = {"__name__": "__main__"}
real_sleep = time.sleep
sleeps = [0]


def counted_sleep(seconds):
    sleeps[0] += 1
    real_sleep(pause)
    if sleeps[0] >= count:
        namespace["client"].close()
        sys.stdout.flush()
        raise SystemExit(0)


time.sleep = counted_sleep
exec(compile(code, code_path, "exec"), namespace)
