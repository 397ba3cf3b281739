import Dashboard
import SelectCore
import Clients

/// Representative models: what the dashboard would be handed at interesting moments.
enum Fixtures {
    static let hello = Array("Hello, world".utf8)

    static func peer(_ port: Int) -> PeerAddress { PeerAddress(host: "127.0.0.1", port: port) }

    static func server(mode: Mode, backend: BackendKind = .select) -> ServerSnapshot {
        var server = ServerSnapshot()
        server.mode = mode
        server.backend = backend
        server.listenAddress = PeerAddress(host: "127.0.0.1", port: 1234)
        server.listener = 3
        server.queueCap = 64 * 1024
        return server
    }

    static func connection(_ fd: Int32, port: Int, messages: Int = 0, bytesIn: Int = 0, bytesOut: Int = 0, state: ConnectionRow.State = .reading) -> ConnectionRow {
        ConnectionRow(fd: fd, peer: peer(port), queuedMessages: messages, queuedBytes: messages * 12,
                      bytesIn: bytesIn, bytesOut: bytesOut, state: state)
    }

    static func event(_ kind: ServerEvent.Kind, fd: Int32, port: Int, bytes: Int = 0) -> ServerEvent {
        ServerEvent(kind: kind, fd: fd, bytes: bytes, requested: bytes, peer: peer(port),
                    payload: kind == .recv || kind == .send ? hello : nil)
    }

    static func record(seq: Int, mode: Mode, backend: BackendKind = .select, inputs: [Int32], outputs: [Int32] = [],
                       readable: [Int32] = [], writable: [Int32] = [], exceptional: [Int32] = [],
                       blocked: Double = 2.1, events: [ServerEvent] = []) -> StepRecord {
        var record = StepRecord()
        record.seq = seq
        record.mode = mode
        record.backend = backend
        record.listener = 3
        record.timeout = mode.timeout
        record.inputs = inputs
        record.outputs = outputs
        record.internalFDs = [4]
        record.readable = readable
        record.writable = writable
        record.exceptional = exceptional
        record.blockedMilliseconds = blocked
        record.costMicroseconds = 3.2
        record.events = events
        return record
    }

    static func log(_ entries: [(Int, ServerEvent)]) -> [LogEntry] {
        entries.map { LogEntry(seq: $0.0, event: $0.1) }
    }

    /// Exercise 1: two senders, nothing is ever sent back, the queues grow.
    static func modeOneGrowingQueues() -> DashboardModel {
        var server = server(mode: .one)
        server.counters.calls = 12
        server.counters.accepted = 2
        server.counters.bytesIn = 11 * 12
        server.inputs = [3, 5, 6]
        server.connections = [
            connection(5, port: 51234, messages: 6, bytesIn: 72),
            connection(6, port: 51236, messages: 5, bytesIn: 60),
        ]
        server.lastRecord = record(seq: 12, mode: .one, inputs: [3, 5, 6], readable: [6], blocked: 2987,
                                   events: [event(.recv, fd: 6, port: 51236, bytes: 12)])
        server.log = log([
            (1, event(.accept, fd: 5, port: 51234)),
            (2, event(.accept, fd: 6, port: 51236)),
            (11, event(.recv, fd: 5, port: 51234, bytes: 12)),
            (12, event(.recv, fd: 6, port: 51236, bytes: 12)),
        ])
        let clients = [
            ClientRow(id: 1, pid: 41230, kind: .sender, state: .running),
            ClientRow(id: 2, pid: 41236, kind: .sender, state: .running),
        ]
        return DashboardModel(server: server, clients: clients)
    }

    /// Exercise 4: fd 5 had data queued, so it is in `outputs`; the call says it is writable.
    static func modeFourWritable() -> DashboardModel {
        var server = server(mode: .four)
        server.counters.calls = 17
        server.counters.accepted = 2
        server.counters.bytesIn = 3480
        server.counters.bytesOut = 3468
        server.inputs = [3, 5, 6]
        server.outputs = [6]
        server.connections = [
            connection(5, port: 51234, bytesIn: 1740, bytesOut: 1740),
            connection(6, port: 51236, messages: 1, bytesIn: 1740, bytesOut: 1728),
        ]
        server.lastRecord = record(seq: 17, mode: .four, inputs: [3, 5, 6], outputs: [5], readable: [6], writable: [5],
                                   blocked: 0.04,
                                   events: [event(.recv, fd: 6, port: 51236, bytes: 12), event(.send, fd: 5, port: 51234, bytes: 12),
                                            event(.queueEmpty, fd: 5, port: 51234)])
        server.log = log([
            (15, event(.recv, fd: 5, port: 51234, bytes: 12)),
            (16, event(.send, fd: 5, port: 51234, bytes: 12)),
            (16, event(.queueEmpty, fd: 5, port: 51234)),
            (17, event(.recv, fd: 6, port: 51236, bytes: 12)),
            (17, event(.send, fd: 5, port: 51234, bytes: 12)),
            (17, event(.queueEmpty, fd: 5, port: 51234)),
        ])
        let clients = [
            ClientRow(id: 1, pid: 41230, kind: .echo, state: .running, lastLine: "b'Hello, world'"),
            ClientRow(id: 2, pid: 41236, kind: .echo, state: .running, lastLine: "b'Hello, world'"),
        ]
        return DashboardModel(server: server, clients: clients)
    }

    /// Exercise 5: nothing arrived for two seconds; the call came back empty.
    static func modeFiveTimeout() -> DashboardModel {
        var model = modeFourWritable()
        model.server.mode = .five
        model.server.outputs = []
        model.server.counters.timeouts = 3
        model.server.connections[1].queuedMessages = 0
        model.server.connections[1].queuedBytes = 0
        model.server.lastRecord = record(seq: 21, mode: .five, inputs: [3, 5, 6], blocked: 2000.4, events: [ServerEvent(kind: .timeout)])
        model.server.log = log([
            (18, event(.recv, fd: 5, port: 51234, bytes: 12)),
            (18, event(.send, fd: 5, port: 51234, bytes: 12)),
            (19, ServerEvent(kind: .timeout)),
            (20, ServerEvent(kind: .timeout)),
            (21, ServerEvent(kind: .timeout)),
        ])
        return model
    }

    /// Exercise 2, paused before the next call: the lists shown are what it will be given.
    static func pausedBeforeCall() -> DashboardModel {
        var model = modeFourWritable()
        model.server.mode = .two
        model.server.runState = .paused
        model.server.outputs = [6]
        model.server.lastRecord?.mode = .two
        model.server.lastRecord?.outputs = []
        model.server.lastRecord?.writable = []
        model.server.lastRecord?.events = [event(.recv, fd: 6, port: 51236, bytes: 12)]
        return model
    }

    /// 10,000 echo connections in exercise 3, some held back by backpressure.
    static func tenThousandConnections() -> DashboardModel {
        var server = server(mode: .three)
        let count = 10_000
        server.counters.calls = 123_456
        server.counters.accepted = count
        server.counters.bytesIn = 987_654_321
        server.counters.bytesOut = 987_000_000
        var connections: [ConnectionRow] = []
        connections.reserveCapacity(count)
        var inputs: [Int32] = [3]
        for index in 0..<count {
            let fd = Int32(5 + index)
            // A deterministic spread of depths; every 97th connection is at the cap.
            let atCap = index % 97 == 13
            var row = connection(fd, port: 20_000 + index, bytesIn: 1_200 + index, bytesOut: 1_188 + index,
                                 state: atCap ? .paused : .reading)
            row.queuedBytes = atCap ? 65_536 : (index * 7919) % 4_096
            row.queuedMessages = row.queuedBytes / 12
            row.lastActiveSeq = 123_456 - index % 50
            connections.append(row)
            if !atCap { inputs.append(fd) }
        }
        server.connections = connections
        server.inputs = inputs
        let readable = stride(from: Int32(5), to: Int32(5 + count), by: 40).map { $0 }
        server.lastRecord = record(seq: 123_456, mode: .three, inputs: inputs, readable: readable, blocked: 0.3,
                                   events: readable.prefix(3).map { event(.recv, fd: $0, port: 20_000 + Int($0) - 5, bytes: 12) })
        server.log = log((0..<8).map { i in (123_456, event(i % 2 == 0 ? .recv : .send, fd: Int32(5 + i * 40), port: 20_000 + i * 40, bytes: 12)) })
        let clients = (0..<3).map { ClientRow(id: $0 + 1, pid: Int32(50_000 + $0), kind: .flood, state: .running, lastLine: "") }
        return DashboardModel(server: server, clients: clients)
    }
}
