/// The one way from per-call records to what the screen draws.
///
/// Every producer hands its records here: the built-in server live (through a `LiveFeed`),
/// a trace file in replay, a traced foreign program. `apply` folds one call into the state;
/// `snapshot(status:)` adds what only the producer knows (`ProducerStatus`) and gives the
/// `ServerSnapshot` the panes draw. A value: a replay keeps copies as checkpoints.
public struct SnapshotReducer: Sendable {
    /// One open connection as the records tell it.
    private struct Row: Sendable {
        var row: ConnectionRow
        var paused = false
        var closing = false

        mutating func updateState() {
            row.state = closing ? .closing : (paused ? .paused : .reading)
        }
    }

    /// The open connections in accept order (the screen's rows), and where each fd's row
    /// is: an update touches the row in place, without moving it.
    private var rows: [Row] = []
    private var rowIndex = FDIndex()
    private var log: LogRing
    private var counters = ServerCounters()
    private var listener: Int32
    private var inputs: [Int32]
    private var outputs: [Int32] = []
    private var lastRecord: StepRecord?
    private var lastAccepted: PeerAddress?
    private var lastAcceptedBeforeCall: PeerAddress?
    /// The last measured cost of a call, shown until the next measurement.
    private var lastCost = 0.0
    /// A traced program's records: its own queues are out of sight.
    private var traced = false
    /// How many records were applied.
    public private(set) var applied = 0
    /// The loop's bugs the calls have shown so far (the explain pane's diagnoses).
    private var diagnostics = LoopDiagnostics()

    /// `listener` (when known before the first call) is what the first call will watch;
    /// `traced`: the records will come from a traced program (known before its first call).
    public init(listener: Int32 = -1, logCapacity: Int = 200, traced: Bool = false) {
        self.listener = listener
        self.traced = traced
        self.inputs = listener >= 0 ? [listener] : []
        self.log = LogRing(capacity: logCapacity)
    }

    /// Folds one call into the state: its events in the order the server did them, then the
    /// queue depths it reported.
    public mutating func apply(_ record: consuming StepRecord) {
        fold(&record, logged: true)
        lastRecord = record
    }

    /// Folds a batch of calls, oldest first: the same state as applying each in turn, but at
    /// machine speed cheaper. A frame's batch holds thousands of calls, and only the last
    /// `logCapacity` events can still be in the log afterwards: the earlier ones are never
    /// copied into it. Only the last record is kept.
    public mutating func apply(contentsOf records: UnsafeMutableBufferPointer<StepRecord>) {
        guard let last = records.indices.last else { return }
        var firstLogged = records.count
        var kept = 0
        while firstLogged > 0 && kept < log.capacity {
            firstLogged -= 1
            kept += records[firstLogged].events.count
        }
        for index in records.indices { fold(&records[index], logged: index >= firstLogged) }
        lastRecord = records[last]
    }

    /// `inout` only so that a record in a buffer is read where it is: passed by value, each
    /// would be copied first (a retain per list), thousands of times a frame. Not changed.
    private mutating func fold(_ record: inout StepRecord, logged: Bool) {
        applied.addSaturating(1)
        listener = record.listener
        counters.calls = record.seq
        if record.origin != nil { traced = true }
        lastAcceptedBeforeCall = lastAccepted
        if record.costMicroseconds > 0 { lastCost = record.costMicroseconds }
        // The lists the call was given; the events below change them as the server did.
        inputs = record.inputs
        outputs = record.outputs
        // Read in place through a pointer: iterating the array, or passing an event on, copies
        // it (a retain), for each of the thousands of events a frame's batch holds.
        record.events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            for index in events.indices { fold(first + index, of: record, logged: logged) }
        }
        for depth in record.queues {
            guard let at = rowIndex[depth.fd] else { continue }
            rows[at].row.queuedMessages = depth.messages
            rows[at].row.queuedBytes = depth.bytes
            rows[at].row.lastActiveSeq = record.seq
        }
        diagnostics.apply(record)
    }

    private mutating func fold(_ event: UnsafePointer<ServerEvent>, of record: borrowing StepRecord, logged: Bool) {
        let handling = record.mode.dataHandling
        if logged { log.append(LogEntry(seq: record.seq, event: event.pointee)) }
        let fd = event.pointee.fd
        let at = fd >= 0 ? rowIndex[fd] : nil
        switch event.pointee.kind {
        case .accept:
            counters.accepted.addSaturating(1)
            var row = Row(row: ConnectionRow(fd: fd, peer: event.pointee.peer ?? PeerAddress(host: "?", port: 0), queuedMessages: 0,
                                             queuedBytes: 0, bytesIn: 0, bytesOut: 0, state: .reading, lastActiveSeq: record.seq))
            row.updateState()
            if let at {
                rows[at] = row
            } else {
                rowIndex[fd] = rows.count
                rows.append(row)
            }
            lastAccepted = event.pointee.peer
            if !inputs.contains(fd) { inputs.append(fd) }
        case .recv, .urgent:
            counters.bytesIn.addSaturating(event.pointee.bytes)
            if let at { rows[at].row.bytesIn.addSaturating(event.pointee.bytes) }
            if event.pointee.kind == .recv && handling == .queueForWritable { addOutput(fd) }
        case .send:
            counters.bytesOut.addSaturating(event.pointee.bytes)
            if let at { rows[at].row.bytesOut.addSaturating(event.pointee.bytes) }
            if event.pointee.isShortSend {
                addOutput(fd)
            } else if !event.pointee.direct && handling == .echoDirectly && record.queues.contains(where: { $0.fd == fd && $0.bytes == 0 }) {
                // Modes 3 and 5 use `outputs` only for leftovers: gone once they are sent.
                outputs.removeAll { $0 == fd }
            }
        case .queueEmpty:
            outputs.removeAll { $0 == fd }
        case .close:
            counters.closed.addSaturating(1)
            if let at { removeRow(at: at) }
            inputs.removeAll { $0 == fd }
            outputs.removeAll { $0 == fd }
        case .timeout:
            counters.timeouts.addSaturating(1)
        case .refused:
            counters.refused.addSaturating(1)
        case .paused:
            if let at {
                rows[at].paused = true
                rows[at].updateState()
            }
            inputs.removeAll { $0 == fd }
        case .resumed:
            if let at {
                rows[at].paused = false
                rows[at].updateState()
            }
            if at.map({ !rows[$0].closing }) ?? true && !inputs.contains(fd) { inputs.append(fd) }
        case .draining:
            if let at {
                rows[at].closing = true
                rows[at].updateState()
            }
            inputs.removeAll { $0 == fd }
            addOutput(fd)
        case .listenerPaused:
            inputs.removeAll { $0 == record.listener }
        case .listenerResumed:
            if record.listener >= 0 && !inputs.contains(record.listener) { inputs.insert(record.listener, at: 0) }
        // Each connection's own paused/resumed events carry what the budget changes; a
        // peer that finished while paused stays paused until its queue drains.
        case .mode, .backend, .exceptional, .peerFinished, .overBudget, .underBudget, .listen:
            break
        }
    }

    private mutating func removeRow(at position: Int) {
        rowIndex[rows[position].row.fd] = nil
        rows.remove(at: position)
        for later in position..<rows.count { rowIndex[rows[later].row.fd] = later }
    }

    private mutating func addOutput(_ fd: Int32) {
        if !outputs.contains(fd) { outputs.append(fd) }
    }

    /// What the screen draws: the state the records built, with the producer's status.
    public func snapshot(status: ProducerStatus = ProducerStatus()) -> ServerSnapshot {
        var snapshot = ServerSnapshot()
        snapshot.mode = status.mode ?? lastRecord?.mode ?? .one
        snapshot.backend = status.backend ?? lastRecord?.backend ?? .select
        if let address = status.listenAddress { snapshot.listenAddress = address }
        snapshot.listener = listener >= 0 ? listener : status.listener ?? -1
        snapshot.counters = counters
        snapshot.runState = status.runState
        snapshot.inFlight = status.inFlight
        // The call in flight is counted: the header agrees with the pane that shows it.
        if let call = status.inFlight { snapshot.counters.calls = max(snapshot.counters.calls, call.seq) }
        if let lists = status.listsBeforeNextCall, lists.afterSeq == counters.calls {
            snapshot.inputs = lists.inputs
            snapshot.outputs = lists.outputs
        } else {
            snapshot.inputs = inputs
            snapshot.outputs = outputs
        }
        snapshot.queueCap = status.queueCap
        snapshot.tracedProgram = traced
        snapshot.fdSetSize = status.fdSetSize
        snapshot.listenerPending = status.kernel.listenerPending
        snapshot.lastAcceptedBeforeCall = lastAcceptedBeforeCall
        if var record = lastRecord {
            if record.costMicroseconds == 0 { record.costMicroseconds = lastCost }
            snapshot.lastRecord = record
        }
        snapshot.log = log.ordered()
        snapshot.diagnoses = diagnostics.found
        snapshot.connections.reserveCapacity(rows.count)
        let kernel = status.kernel.connections
        for entry in rows {
            var row = entry.row
            if let sample = kernel[row.fd] {
                row.kernelUnread = sample.unread
                row.kernelUnsent = sample.unsent
            }
            snapshot.connections.append(row)
        }
        return snapshot
    }
}

extension Int {
    /// Records can come from an untrusted file: totals stop at the largest value instead of
    /// trapping.
    fileprivate mutating func addSaturating(_ value: Int) {
        let (sum, overflow) = addingReportingOverflow(value)
        self = overflow ? (value > 0 ? .max : .min) : sum
    }
}
