# Exercise 2, but each chunk goes back reversed: the echo has the right length, wrong bytes.
import good_server
good_server.run(2, mangle=lambda data: data[::-1])
