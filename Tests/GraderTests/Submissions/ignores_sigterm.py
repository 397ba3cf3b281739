# Exercise 3, well written, but SIGTERM is ignored: the grader must SIGKILL it.
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
import good_server
good_server.run(3)
