# Exercise 3, but a reset (ECONNRESET) on recv or send is not caught: the server dies.
import good_server
good_server.run(3, catch_reset=False)
