# Exercise 4, but the reply goes out from the read branch (as exercise 3 does), not through
# writefds.
import good_server
good_server.run(4, direct=True)
