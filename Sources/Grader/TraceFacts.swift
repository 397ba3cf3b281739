import SelectCore

/// What the judges read off a list of records: which fd served which client, what happened
/// to each fd in each call. Built once per observation; pure.
struct TraceFacts {
    let records: [StepRecord]

    init(_ records: [StepRecord]) { self.records = records }

    /// The accept events in order: (record index, fd, peer port if known).
    var accepts: [(index: Int, fd: Int32, peerPort: Int?)] {
        var out: [(Int, Int32, Int?)] = []
        for (index, record) in records.enumerated() {
            for event in record.events where event.kind == .accept {
                out.append((index, event.fd, event.peer?.port))
            }
        }
        return out
    }

    /// The server's fd for a client and the record index it was accepted in: matched by the
    /// client's port when the trace names peers, else by order of connection.
    func connection(of client: ClientLog) -> (fd: Int32, acceptedAt: Int)? {
        let accepts = self.accepts
        if accepts.contains(where: { $0.peerPort != nil }) {
            guard let match = accepts.first(where: { $0.peerPort == client.localPort }) else { return nil }
            return (match.fd, match.index)
        }
        guard client.index < accepts.count else { return nil }
        return (accepts[client.index].fd, accepts[client.index].index)
    }

    /// The record index of the first close of `fd` at or after `start`, if any.
    func closeIndex(of fd: Int32, from start: Int) -> Int? {
        guard start < records.count else { return nil }
        for index in start..<records.count where records[index].events.contains(where: { $0.kind == .close && $0.fd == fd }) {
            return index
        }
        return nil
    }

    /// Bytes the program received on `fd` between its accept and its close.
    func bytesReceived(on fd: Int32, from start: Int) -> Int {
        let end = closeIndex(of: fd, from: start) ?? (records.count - 1)
        guard start < records.count, start <= end else { return 0 }
        var total = 0
        for index in start...end {
            for event in records[index].events where event.kind == .recv && event.fd == fd { total += event.bytes }
        }
        return total
    }

    /// Whether the program read everything the client sent (exercise 1: it never echoes).
    func received(everythingFrom client: ClientLog) -> Bool {
        if client.readByProgram >= client.sent.count && !client.sent.isEmpty { return true }
        guard let connection = connection(of: client) else { return false }
        return bytesReceived(on: connection.fd, from: connection.acceptedAt) >= client.sent.count
    }

    /// More than this held for one connection that does not read means nothing bounds the
    /// program's queue. (What sits in kernel buffers is outside it: held is what the program
    /// received and has not sent, from its own recv and send calls.)
    static let unboundedQueue = 1 << 20

    /// The most bytes the program held for `fd` at once: received minus sent, call by call.
    func peakHeld(on fd: Int32, from start: Int) -> Int {
        guard start < records.count else { return 0 }
        var held = 0
        var peak = 0
        for index in start..<records.count {
            for event in records[index].events where event.fd == fd {
                switch event.kind {
                case .recv: held += event.bytes
                case .send: held -= event.bytes
                case .close: return peak
                default: break
                }
                peak = max(peak, held)
            }
        }
        return peak
    }

    static func events(_ record: StepRecord, _ kind: ServerEvent.Kind, fd: Int32) -> [ServerEvent] {
        record.events.filter { $0.kind == kind && $0.fd == fd }
    }

    static func receivedData(_ record: StepRecord, fd: Int32) -> Bool {
        record.events.contains { $0.kind == .recv && $0.fd == fd && $0.bytes > 0 }
    }

    static func sent(_ record: StepRecord, fd: Int32) -> Bool {
        record.events.contains { $0.kind == .send && $0.fd == fd }
    }

    static func closed(_ record: StepRecord, fd: Int32) -> Bool {
        record.events.contains { $0.kind == .close && $0.fd == fd }
    }

    /// The connection fds in play in a record (everything but the listener).
    static func connectionFDs(_ record: StepRecord) -> Set<Int32> {
        var all = Set(record.inputs).union(record.outputs).union(record.readable).union(record.writable)
        for event in record.events where event.fd >= 0 { all.insert(event.fd) }
        all.remove(record.listener)
        return all
    }
}
