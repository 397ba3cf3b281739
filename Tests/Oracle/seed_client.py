"""Runs the seed's client N unchanged except for its port and its pauses.

usage: seed_client.py SEED_FILE N PORT COUNT PAUSE

The seed's client loops forever with `time.sleep(3)`. Here `time.sleep` sleeps PAUSE
seconds instead, and after the COUNT-th pause it closes the client's socket cleanly (a FIN,
as a client that ends does) and exits 0: the client sends exactly COUNT messages. Its
stdout (the echoes it prints) is the seed's own.
"""
import sys
import time

import seedcode

seed_path, exercise, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
count, pause = int(sys.argv[4]), float(sys.argv[5])
code = seedcode.with_port(seedcode.extract(seed_path, exercise, "client"), port)
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
exec(compile(code, "seed-client-%d" % exercise, "exec"), namespace)
