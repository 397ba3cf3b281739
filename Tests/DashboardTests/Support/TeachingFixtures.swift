import Dashboard
import SelectCore
import Clients

/// Hand-made calls, one per branch of the seed's loop, and whole models around them for the
/// source and explain views. Connections: fd 5 (port 51234), fd 6 (port 51236), and fd 7
/// (port 51240) once accepted; fd 3 is the listener, fd 4 the program's wake-up pipe.
enum TeachingFixtures {
    /// A branch of the seed's loop and a call that takes it.
    enum Branch: String, CaseIterable {
        case accept, recv, emptyRecvClose, writableSend, queueEmpty, timeout, urgent, recvReset, writableReset
    }

    static let peers: [Int32: Int] = [5: 51234, 6: 51236, 7: 51240]

    static func event(_ kind: ServerEvent.Kind, _ fd: Int32, bytes: Int = 0, reason: ServerEvent.CloseReason? = nil,
                      detail: String? = nil, direct: Bool = false) -> ServerEvent {
        ServerEvent(kind: kind, fd: fd, bytes: bytes, requested: bytes, peer: peers[fd].map(Fixtures.peer), reason: reason,
                    detail: detail, payload: kind == .recv || kind == .send ? Fixtures.hello : nil, direct: direct)
    }

    /// One call of `mode` that takes `branch`, as the server would record it.
    static func call(_ branch: Branch, mode: Mode, seq: Int = 30) -> StepRecord {
        let echoesDirectly = mode.dataHandling == .echoDirectly
        switch branch {
        case .accept:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], readable: [3], events: [event(.accept, 7)])
        case .recv:
            var events = [event(.recv, 5, bytes: 12)]
            if echoesDirectly { events.append(event(.send, 5, bytes: 12, direct: true)) }
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], readable: [5], events: events)
        case .emptyRecvClose:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], readable: [6], events: [event(.close, 6, reason: .eof)])
        case .writableSend:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], outputs: [5], writable: [5], events: [event(.send, 5, bytes: 12)])
        case .queueEmpty:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], outputs: [5], writable: [5], events: [event(.queueEmpty, 5)])
        case .timeout:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], blocked: 2000.3, events: [ServerEvent(kind: .timeout)])
        case .urgent:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], exceptional: [6],
                                   events: [event(.exceptional, 6), event(.urgent, 6, bytes: 1)])
        case .recvReset:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], readable: [6],
                                   events: [event(.close, 6, reason: .error, detail: "ECONNRESET")])
        case .writableReset:
            return Fixtures.record(seq: seq, mode: mode, inputs: [3, 5, 6], outputs: [5], writable: [5],
                                   events: [event(.close, 5, reason: .error, detail: "EPIPE")])
        }
    }

    /// A model whose last call is `record`, with the connections and log around it.
    static func model(_ record: StepRecord, view: DashboardView = .lastCall, language: Language = .en) -> DashboardModel {
        var server = Fixtures.server(mode: record.mode)
        server.counters.calls = record.seq
        server.counters.accepted = 3
        server.counters.bytesIn = 3480
        server.counters.bytesOut = 3456
        var open: Set<Int32> = [5, 6]
        for event in record.events {
            if event.kind == .accept { open.insert(event.fd) }
            if event.kind == .close { open.remove(event.fd) }
        }
        server.connections = open.sorted().map { fd in
            var row = Fixtures.connection(fd, port: peers[fd]!, bytesIn: 1740, bytesOut: 1728)
            row.kernelUnread = 0
            row.kernelUnsent = 0
            return row
        }
        server.inputs = [3] + open.sorted()
        server.outputs = record.mode.dataHandling == .queueForWritable ? record.outputs.filter { open.contains($0) } : []
        server.lastRecord = record
        server.lastAcceptedBeforeCall = Fixtures.peer(51240)
        server.listenerPending = 0
        server.log = Fixtures.log(record.events.map { (record.seq, $0) })
        let clients = [
            ClientRow(id: 1, pid: 41230, kind: .echo, state: .running, lastLine: "b'Hello, world'"),
            ClientRow(id: 2, pid: 41236, kind: .echo, state: .running, lastLine: "b'Hello, world'"),
            ClientRow(id: 3, pid: 41240, kind: .oob, state: .running, lastLine: "b'Hello, world'"),
        ]
        return DashboardModel(server: server, clients: clients, language: language, view: view)
    }

    /// Exercise 2, call #9: fd 6's peer finished while fd 6 also came back writable — the
    /// seed would close it in the readable loop (naming the wrong address), then trip over
    /// it in the writable one — fd 5 gets its echo, and an oob client's urgent byte puts
    /// fd 7 in `exceptional`.
    static func modeTwoCloseSendUrgent(view: DashboardView = .lastCall, language: Language = .en) -> DashboardModel {
        var record = Fixtures.record(seq: 9, mode: .two, inputs: [3, 5, 6, 7], outputs: [5, 6], readable: [6], writable: [5, 6],
                                     exceptional: [7], blocked: 0.3,
                                     events: [event(.close, 6, reason: .eof), event(.send, 5, bytes: 12),
                                              event(.exceptional, 7), event(.urgent, 7, bytes: 1)])
        record.queues = [QueueDepth(fd: 5, messages: 0, bytes: 0)]
        var model = model(record, view: view, language: language)
        model.server.connections.append({
            var row = Fixtures.connection(7, port: 51240, bytesIn: 13, bytesOut: 12)
            row.kernelUnread = 0
            row.kernelUnsent = 0
            return row
        }())
        model.server.inputs = [3, 5, 7]
        model.server.outputs = []
        // fd 7 was accepted last, so the seed's "closing" line would name 51240, not fd 6's 51236.
        model.server.lastAcceptedBeforeCall = Fixtures.peer(51240)
        return model
    }

    /// Exercise 4, call #23: a new connection (two more still in the accept queue), fd 6's
    /// echo arrives, and fd 5 comes back writable with nothing left to send.
    static func modeFourAcceptRecvQueueEmpty(view: DashboardView = .lastCall, language: Language = .en) -> DashboardModel {
        let record = Fixtures.record(seq: 23, mode: .four, inputs: [3, 5, 6], outputs: [5], readable: [3, 6], writable: [5],
                                     blocked: 0.05,
                                     events: [event(.accept, 7), event(.recv, 6, bytes: 12), event(.queueEmpty, 5)])
        var model = model(record, view: view, language: language)
        model.server.listenerPending = 2
        model.server.outputs = [6]
        model.server.connections[1].queuedMessages = 1
        model.server.connections[1].queuedBytes = 12
        return model
    }

    /// Exercise 5, call #41: a connection accepted, fd 5 echoed straight back with more
    /// still unread in the kernel, and fd 6's peer gone — the seed would print the last
    /// accepted address (fd 7's) in its "closing" line.
    static func modeFiveAcceptEchoClose(view: DashboardView = .lastCall, language: Language = .en) -> DashboardModel {
        let record = Fixtures.record(seq: 41, mode: .five, inputs: [3, 5, 6], readable: [3, 5, 6], blocked: 12.5,
                                     events: [event(.accept, 7), event(.recv, 5, bytes: 1024), event(.send, 5, bytes: 1024, direct: true),
                                              event(.close, 6, reason: .eof)])
        var model = model(record, view: view, language: language)
        model.server.connections[0].kernelUnread = 2048
        model.server.connections[0].kernelUnsent = 512
        model.server.lastAcceptedBeforeCall = Fixtures.peer(51236)
        return model
    }

    /// Exercise 5, call #44: two seconds and nothing: the timeout branch.
    static func modeFiveTimeout(view: DashboardView = .lastCall, language: Language = .en) -> DashboardModel {
        var model = model(call(.timeout, mode: .five, seq: 44), view: view, language: language)
        model.server.counters.timeouts = 4
        return model
    }
}
