/// Rebuilds what the dashboard showed after each recorded call, so a replay can step
/// forwards and backwards through a trace with the same panes as the live view.
///
/// The state after call k is the state after call k-1 with call k's record applied; going
/// back restarts from the nearest checkpoint instead of from the first call.
public final class ReplayTimeline {
    public let file: TraceFile
    private var state: ReplayState
    private var position = -1
    private var checkpoints: [Int: ReplayState] = [:]
    private let checkpointEvery = 128
    private let logCapacity: Int

    public init(file: TraceFile, logCapacity: Int = 200) {
        self.file = file
        self.logCapacity = logCapacity
        self.state = ReplayState(listenAddress: file.listenAddress, logCapacity: logCapacity)
    }

    public var count: Int { file.records.count }

    /// The screen's snapshot after call `index` (0-based) has been handled.
    public func snapshot(at index: Int) -> ServerSnapshot {
        precondition(index >= 0 && index < count, "replay index out of range")
        if index < position {
            let checkpoint = (index / checkpointEvery) * checkpointEvery - 1
            if checkpoint >= 0, let saved = checkpoints[checkpoint] {
                state = saved
                position = checkpoint
            } else {
                state = ReplayState(listenAddress: file.listenAddress, logCapacity: logCapacity)
                position = -1
            }
        }
        while position < index {
            position += 1
            state.apply(file.records[position])
            if (position + 1) % checkpointEvery == 0 { checkpoints[position] = state }
        }
        var snapshot = state.snapshot
        // The lists as the server held them after this call are what the next call was given;
        // after the last call they are worked out from what the server did.
        if index + 1 < count {
            snapshot.inputs = file.records[index + 1].inputs
            snapshot.outputs = file.records[index + 1].outputs
        } else {
            (snapshot.inputs, snapshot.outputs) = Self.listsAfter(file.records[index])
        }
        return snapshot
    }

    /// `inputs` and `outputs` after a call was handled, from its events and queue depths.
    static func listsAfter(_ record: StepRecord) -> (inputs: [Int32], outputs: [Int32]) {
        var inputs = record.inputs
        var outputs = record.outputs
        func addOutput(_ fd: Int32) { if !outputs.contains(fd) { outputs.append(fd) } }
        let emptied = Set(record.queues.filter { $0.bytes == 0 }.map(\.fd))
        for event in record.events {
            switch event.kind {
            case .accept, .resumed:
                inputs.append(event.fd)
            case .close:
                inputs.removeAll { $0 == event.fd }
                outputs.removeAll { $0 == event.fd }
            case .paused:
                inputs.removeAll { $0 == event.fd }
            case .draining:
                inputs.removeAll { $0 == event.fd }
                addOutput(event.fd)
            case .listenerPaused:
                inputs.removeAll { $0 == record.listener }
            case .listenerResumed:
                inputs.insert(record.listener, at: 0)
            case .queueEmpty:
                outputs.removeAll { $0 == event.fd }
            case .recv where record.mode.dataHandling == .queueForWritable:
                addOutput(event.fd)
            case .send where event.isShortSend:
                addOutput(event.fd)
            case .send where record.mode.dataHandling == .echoDirectly && emptied.contains(event.fd):
                outputs.removeAll { $0 == event.fd }
            default:
                break
            }
        }
        return (inputs, outputs)
    }
}

/// The server's state as far as a trace tells it.
struct ReplayState {
    var snapshot = ServerSnapshot()
    private var rows: [Int32: ConnectionRow] = [:]
    private var order: [Int32] = []
    private var log: EventRing
    private var lastAccepted: PeerAddress?

    init(listenAddress: PeerAddress?, logCapacity: Int) {
        log = EventRing(capacity: logCapacity)
        if let listenAddress { snapshot.listenAddress = listenAddress }
        snapshot.runState = .paused
    }

    mutating func apply(_ record: StepRecord) {
        snapshot.mode = record.mode
        snapshot.backend = record.backend
        snapshot.listener = record.listener
        snapshot.counters.calls = record.seq
        snapshot.lastAcceptedBeforeCall = lastAccepted
        for event in record.events {
            log.append(LogEntry(seq: record.seq, event: event))
            switch event.kind {
            case .accept:
                snapshot.counters.accepted += 1
                rows[event.fd] = ConnectionRow(fd: event.fd, peer: event.peer ?? PeerAddress(host: "?", port: 0), queuedMessages: 0,
                                               queuedBytes: 0, bytesIn: 0, bytesOut: 0, state: .reading, lastActiveSeq: record.seq)
                order.append(event.fd)
                lastAccepted = event.peer
            case .recv, .urgent:
                snapshot.counters.bytesIn += event.bytes
                rows[event.fd]?.bytesIn += event.bytes
            case .send:
                snapshot.counters.bytesOut += event.bytes
                rows[event.fd]?.bytesOut += event.bytes
            case .close:
                snapshot.counters.closed += 1
                rows[event.fd] = nil
                order.removeAll { $0 == event.fd }
            case .timeout:
                snapshot.counters.timeouts += 1
            case .refused:
                snapshot.counters.refused += 1
            case .paused:
                rows[event.fd]?.state = .paused
            case .resumed:
                rows[event.fd]?.state = .reading
            case .draining:
                rows[event.fd]?.state = .closing
            case .queueEmpty, .mode, .backend, .exceptional, .peerFinished, .overBudget, .underBudget, .listenerPaused,
                 .listenerResumed:
                break
            }
            if event.fd >= 0 { rows[event.fd]?.lastActiveSeq = record.seq }
        }
        for depth in record.queues {
            rows[depth.fd]?.queuedMessages = depth.messages
            rows[depth.fd]?.queuedBytes = depth.bytes
        }
        snapshot.inputs = record.inputs
        snapshot.outputs = record.outputs
        snapshot.lastRecord = record
        snapshot.connections = order.compactMap { rows[$0] }
        snapshot.log = log.ordered()
    }
}
