# Exercise 4, written to pass every check.
import good_server
good_server.run(4)
