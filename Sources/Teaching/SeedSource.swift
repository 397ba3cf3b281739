import SelectCore

/// The homework's Python programs, one server and one client per exercise, exactly as the
/// homework has them (練習1–5): the repository's own copy, for the source pane,
/// `selectscope seed`, and the tests that use the homework as their oracle.
public enum SeedSource {
    /// The address every program of the homework hard-codes.
    public static let hardCodedAddress = "('localhost', 1234)"

    /// `code` with its one hard-coded address moved to `port`.
    public static func code(_ code: String, port: Int) -> String {
        code.replacingOccurrences(of: hardCodedAddress, with: "('localhost', \(port))")
    }

    public static func server(for mode: Mode) -> String {
        switch mode {
        case .one:
            return #"""
import socket
from select import select

# create an server on localhost:1234
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
server.listen(5)

# using select to wait for multiple sockets
inputs = [server]
outputs = []
message_queues = {}

# wait for new connection
while inputs:
    readable, writable, exceptional = select(inputs, outputs, inputs)
    print('readable:', readable)
    print('writable:', writable)
    print('exceptional:', exceptional)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('connection from', client_address)
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = []
        else:
            data = s.recv(1024)
            if data:
                print('received', data, 'from', s.getpeername())
                message_queues[s].append(data)
            else:
                print('closing', client_address)
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()

                del message_queues[s]
"""#
        case .two:
            return #"""
import socket
from select import select

# create an server on localhost:1234
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
server.listen(5)

# using select to wait for multiple sockets
inputs = [server]
outputs = []
message_queues = {}

# wait for new connection
while inputs:
    readable, writable, exceptional = select(inputs, outputs, inputs)
    print('readable:', readable)
    print('writable:', writable)
    print('exceptional:', exceptional)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('connection from', client_address)
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = []
        else:
            data = s.recv(1024)
            if data:
                print('received', data, 'from', s.getpeername())
                message_queues[s].append(data)
                if s not in outputs:
                    outputs.append(s)
            else:
                print('closing', client_address)
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()

                del message_queues[s]

    for s in writable:
        try:
            next_msg = message_queues[s][0]
        except IndexError:
            print('output queue for', s.getpeername(), 'is empty')
            outputs.remove(s)
        else:
            print('sending', next_msg, 'to', s.getpeername())
            s.send(next_msg)
            message_queues[s].pop(0)

    for s in exceptional:
        print('handling exceptional condition for', s.getpeername())
        inputs.remove(s)
        if s in outputs:
            outputs.remove(s)
        s.close()

        del message_queues[s]
"""#
        case .three:
            return #"""
import socket
from select import select

# create an server on localhost:1234
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('localhost', 1234))
server.listen(5)

# using select to wait for multiple sockets
inputs = [server]
outputs = []
message_queues = {}

# wait for new connection
while inputs:
    readable, writable, exceptional = select(inputs, outputs, inputs)
    print('readable:', readable)
    print('writable:', writable)
    print('exceptional:', exceptional)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('connection from', client_address)
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = []
        else:
            try:
                data = s.recv(1024)
            except socket.error:
                print('socket error')
                data = None
            if data:
                print('received', data, 'from', s.getpeername())
                s.send(data)
            else:
                print('closing', client_address)
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()

                del message_queues[s]
"""#
        case .four:
            return #"""
import socket
from select import select

# create an server on localhost:1234
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('localhost', 1234))
server.listen(5)

# using select to wait for multiple sockets
inputs = [server]
outputs = []
message_queues = {}

# wait for new connection
while inputs:
    readable, writable, exceptional = select(inputs, outputs, inputs)
    print('readable:', readable)
    print('writable:', writable)
    print('exceptional:', exceptional)
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('connection from', client_address)
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = []
        else:
            try:
                data = s.recv(1024)
            except socket.error:
                print('socket error')
                data = None
            if data:
                print('received', data, 'from', s.getpeername())
                message_queues[s].append(data)
                if s not in outputs:
                    outputs.append(s)
            else:
                print('closing', client_address)
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()

                del message_queues[s]

    for s in writable:
        try:
            next_msg = message_queues[s][0]
        except IndexError:
            print('output queue for', s.getpeername(), 'is empty')
            outputs.remove(s)
        except ConnectionResetError:
            print('closing', s.getpeername())
            if s in outputs:
                outputs.remove(s)
            inputs.remove(s)
            s.close()
            del message_queues[s]
        else:
            print('sending', next_msg, 'to', s.getpeername())
            s.send(next_msg)
            message_queues[s].pop(0)

    for s in exceptional:
        print('handling exceptional condition for', s.getpeername())
        inputs.remove(s)
        if s in outputs:
            outputs.remove(s)
        s.close()

        del message_queues[s]
"""#
        case .five:
            return #"""
import socket
from select import select

# create an server on localhost:1234
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('localhost', 1234))
server.listen(5)

# using select to wait for multiple sockets
inputs = [server]
outputs = []
message_queues = {}

# wait for new connection
while inputs:
    readable, writable, exceptional = select(inputs, outputs, inputs, 2)
    if not (readable or writable or exceptional):
        print('timeout')
        continue
    
    for s in readable:
        if s is server:
            connection, client_address = s.accept()
            print('connection from', client_address)
            connection.setblocking(0)
            inputs.append(connection)
            message_queues[connection] = []
        else:
            try:
                data = s.recv(1024)
            except socket.error:
                print('socket error')
                data = None
            if data:
                print('received', data, 'from', s.getpeername())
                s.send(data)
            else:
                print('closing', client_address)
                if s in outputs:
                    outputs.remove(s)
                inputs.remove(s)
                s.close()

                del message_queues[s]
"""#
        }
    }
    /// The seed's clients, exactly as the homework has them: exercise 1's only sends;
    /// the others print each echo. Exercises 4 and 5 share one client.
    public static func client(for mode: Mode) -> String {
        switch mode {
        case .one:
            return #"""
import socket
from select import select
import time

# create an socket and connect to localhost:1234
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(('localhost', 1234))


# send message
while True:
    client.send(b'Hello, world')
    time.sleep(3)
"""#
        case .two:
            return #"""
import socket
from select import select
import time

# create an socket and connect to localhost:1234
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(('localhost', 1234))


# send message
while True:
    client.send(b'Hello, world')
    data = client.recv(1024)
    print(data)
    time.sleep(3)
"""#
        case .three:
            return #"""
import socket
from select import select
import time

# create an socket and connect to localhost:1234
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(('localhost', 1234))

# send message
while True:
    client.send(b'Hello, world')
    data = client.recv(1024)
    print(data)
    time.sleep(3)
"""#
        case .four, .five:
            return #"""
import socket
from select import select
import time

# create an socket and connect to localhost:1234
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(('localhost', 1234))


# send message
while True:
    client.send(b'Hello, world')
    data = client.recv(1024)
    print(data)
    time.sleep(3)

"""#
        }
    }
}
