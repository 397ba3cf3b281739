# A fork bomb, with a cap so that a bug in the grader's limits cannot take the machine down:
# at most 256 processes in all (each child keeps forking), each process gone after 60 s.
import os
import time

deadline = time.time() + 60
for _ in range(8):  # 2**8 = 256 processes at most
    try:
        os.fork()
    except OSError:
        pass
while time.time() < deadline:
    time.sleep(0.5)
