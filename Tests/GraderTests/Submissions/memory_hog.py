# Takes memory until it is stopped (capped at 4 GiB, so a bug in the grader's limits cannot
# take the machine down), then would serve exercise 2.
chunks = []
for _ in range(64):
    chunks.append(bytearray(64 * 1024 * 1024))  # touched: bytearray zero-fills
import good_server
good_server.run(2)
