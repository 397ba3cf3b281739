# Exercise 3 without SO_REUSEADDR: a restart right after connections were open fails with
# "Address already in use" (the homework's own exercises 3 and 5 forget it).
import good_server
good_server.run(3, reuse=False)
