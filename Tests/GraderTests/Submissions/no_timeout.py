# Exercise 5 without the timeout: select() blocks, nothing ever prints 'timeout'.
import good_server
good_server.run(5, timeout=None)
