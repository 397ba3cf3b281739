# Exercise 5, written to pass every check.
import good_server
good_server.run(5)
