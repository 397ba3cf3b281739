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

    private var rows: [Int32: Row] = [:]
    /// Accept order, for the screen's rows.
    private var order: [Int32] = []
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
    /// How many records were applied.
    public private(set) var applied = 0

    /// `listener` (when known before the first call) is what the first call will watch.
    public init(listener: Int32 = -1, logCapacity: Int = 200) {
        self.listener = listener
        self.inputs = listener >= 0 ? [listener] : []
        self.log = LogRing(capacity: logCapacity)
    }

    /// Folds one call into the state: its events in the order the server did them, then the
    /// queue depths it reported.
    public mutating func apply(_ record: StepRecord) {
        applied.addSaturating(1)
        listener = record.listener
        counters.calls = record.seq
        lastAcceptedBeforeCall = lastAccepted
        if record.costMicroseconds > 0 { lastCost = record.costMicroseconds }
        // The lists the call was given; the events below change them as the server did.
        inputs = record.inputs
        outputs = record.outputs
        let handling = record.mode.dataHandling
        for event in record.events {
            log.append(LogEntry(seq: record.seq, event: event))
            let fd = event.fd
            switch event.kind {
            case .accept:
                counters.accepted.addSaturating(1)
                var row = Row(row: ConnectionRow(fd: fd, peer: event.peer ?? PeerAddress(host: "?", port: 0), queuedMessages: 0,
                                                 queuedBytes: 0, bytesIn: 0, bytesOut: 0, state: .reading, lastActiveSeq: record.seq))
                row.updateState()
                if rows.updateValue(row, forKey: fd) == nil { order.append(fd) }
                lastAccepted = event.peer
                if !inputs.contains(fd) { inputs.append(fd) }
            case .recv, .urgent:
                counters.bytesIn.addSaturating(event.bytes)
                rows[fd]?.row.bytesIn.addSaturating(event.bytes)
                if event.kind == .recv && handling == .queueForWritable { addOutput(fd) }
            case .send:
                counters.bytesOut.addSaturating(event.bytes)
                rows[fd]?.row.bytesOut.addSaturating(event.bytes)
                if event.isShortSend {
                    addOutput(fd)
                } else if !event.direct && handling == .echoDirectly && record.queues.contains(where: { $0.fd == fd && $0.bytes == 0 }) {
                    // Modes 3 and 5 use `outputs` only for leftovers: gone once they are sent.
                    outputs.removeAll { $0 == fd }
                }
            case .queueEmpty:
                outputs.removeAll { $0 == fd }
            case .close:
                counters.closed.addSaturating(1)
                if rows.removeValue(forKey: fd) != nil { order.removeAll { $0 == fd } }
                inputs.removeAll { $0 == fd }
                outputs.removeAll { $0 == fd }
            case .timeout:
                counters.timeouts.addSaturating(1)
            case .refused:
                counters.refused.addSaturating(1)
            case .paused:
                rows[fd]?.paused = true
                rows[fd]?.updateState()
                inputs.removeAll { $0 == fd }
            case .resumed:
                rows[fd]?.paused = false
                rows[fd]?.updateState()
                if rows[fd]?.closing != true && !inputs.contains(fd) { inputs.append(fd) }
            case .draining:
                rows[fd]?.closing = true
                rows[fd]?.updateState()
                inputs.removeAll { $0 == fd }
                addOutput(fd)
            case .mode, .backend, .exceptional:
                break
            }
        }
        for depth in record.queues {
            guard var row = rows[depth.fd] else { continue }
            row.row.queuedMessages = depth.messages
            row.row.queuedBytes = depth.bytes
            row.row.lastActiveSeq = record.seq
            rows[depth.fd] = row
        }
        lastRecord = record
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
        snapshot.listener = listener
        snapshot.counters = counters
        snapshot.runState = status.runState
        if let lists = status.listsBeforeNextCall, lists.afterSeq == counters.calls {
            snapshot.inputs = lists.inputs
            snapshot.outputs = lists.outputs
        } else {
            snapshot.inputs = inputs
            snapshot.outputs = outputs
        }
        snapshot.queueCap = status.queueCap
        snapshot.fdSetSize = status.fdSetSize
        snapshot.listenerPending = status.kernel.listenerPending
        snapshot.lastAcceptedBeforeCall = lastAcceptedBeforeCall
        if var record = lastRecord {
            if record.costMicroseconds == 0 { record.costMicroseconds = lastCost }
            snapshot.lastRecord = record
        }
        snapshot.log = log.ordered()
        snapshot.connections.reserveCapacity(order.count)
        let kernel = status.kernel.connections
        for fd in order {
            guard var row = rows[fd]?.row else { continue }
            if let sample = kernel[fd] {
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
