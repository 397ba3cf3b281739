/// What the dashboard showed after each recorded call, so a replay can step forwards and
/// backwards through a trace with the same panes as the live view. The records go through
/// the same `SnapshotReducer` as the live server's: a replay shows what the live screen
/// showed after that call.
///
/// The state after call k is the state after call k-1 with call k's record applied; going
/// back restarts from the nearest checkpoint instead of from the first call.
public final class ReplayTimeline {
    public let file: TraceFile
    private var reducer: SnapshotReducer
    private var position = -1
    private var checkpoints: [Int: SnapshotReducer] = [:]
    private let checkpointEvery = 128
    private let logCapacity: Int
    /// A replay is paused between calls; it knows nothing of the kernel's queues.
    private let status: ProducerStatus

    public init(file: TraceFile, logCapacity: Int = 200) {
        self.file = file
        self.logCapacity = logCapacity
        self.reducer = SnapshotReducer(logCapacity: logCapacity)
        var status = ProducerStatus()
        status.runState = .paused
        status.listenAddress = file.listenAddress
        self.status = status
    }

    public var count: Int { file.records.count }

    /// The screen's snapshot after call `index` (0-based) has been handled.
    public func snapshot(at index: Int) -> ServerSnapshot {
        precondition(index >= 0 && index < count, "replay index out of range")
        if index < position {
            let checkpoint = (index / checkpointEvery) * checkpointEvery - 1
            if checkpoint >= 0, let saved = checkpoints[checkpoint] {
                reducer = saved
                position = checkpoint
            } else {
                reducer = SnapshotReducer(logCapacity: logCapacity)
                position = -1
            }
        }
        while position < index {
            position += 1
            reducer.apply(file.records[position])
            if (position + 1) % checkpointEvery == 0 { checkpoints[position] = reducer }
        }
        return reducer.snapshot(status: status)
    }
}
