# Exercise 2, but a connection stays in outputs once its queue is empty: select() returns it
# writable at once, every time (a busy loop).
import good_server
good_server.run(2, leave_outputs=False)
