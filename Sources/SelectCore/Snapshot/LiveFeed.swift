import Synchronization

/// The channel from a producer's thread (the server loop, a tracer) to the screen.
///
/// The producer publishes each call's record and, when it changes, its status; each costs a
/// copy under the feed's lock and nothing else. The screen takes the records that arrived
/// since its last frame and applies them, outside the lock, to the one `SnapshotReducer`.
///
/// Bounded: when the screen falls `capacity` records behind (a frame stuck on a slow
/// terminal), the producer applies the backlog to the reducer itself, under the lock, and
/// starts again with an empty queue. Nothing is dropped, and the queue never holds more than
/// `capacity` records plus what arrives while the screen is applying one batch.
public final class LiveFeed: Sendable {
    private struct Shared {
        var pending: [StepRecord] = []
        /// The screen's reducer between frames; nil while the screen is applying a batch.
        var reducer: SnapshotReducer?
        var status = ProducerStatus()
        /// Records the producer applied itself because the screen was behind.
        var folded = 0
    }

    public let capacity: Int
    private let shared: Mutex<Shared>

    /// `listener`: what the first call will watch, shown before it completes.
    public init(listener: Int32 = -1, logCapacity: Int = 200, capacity: Int = 4096) {
        self.capacity = max(1, capacity)
        shared = Mutex(Shared(reducer: SnapshotReducer(listener: listener, logCapacity: logCapacity)))
    }

    // MARK: - Producer side

    /// A call's record, in call order. Producer thread.
    public func publish(_ record: StepRecord) {
        let capacity = self.capacity
        shared.withLock { shared in
            shared.pending.append(record)
            guard shared.pending.count >= capacity, var reducer = shared.reducer.take() else { return }
            for record in shared.pending { reducer.apply(record) }
            shared.folded += shared.pending.count
            shared.pending.removeAll(keepingCapacity: true)
            shared.reducer = reducer
        }
    }

    /// Changes the published status. Producer thread.
    public func updateStatus(_ change: (inout ProducerStatus) -> Void) {
        shared.withLock { change(&$0.status) }
    }

    // MARK: - Screen side

    /// The producer's status as last published.
    public var status: ProducerStatus { shared.withLock { $0.status } }

    /// How many records the producer had to apply itself because the screen was behind.
    public var foldedByProducer: Int { shared.withLock { $0.folded } }

    /// Applies the records that arrived since the last call and returns what the screen
    /// draws. One screen thread at a time.
    public func snapshot() -> ServerSnapshot {
        var spare: [StepRecord] = []
        let (batch, taken, status) = shared.withLock { shared -> ([StepRecord], SnapshotReducer?, ProducerStatus) in
            swap(&spare, &shared.pending)
            return (spare, shared.reducer.take(), shared.status)
        }
        // Two screens at once would find the reducer gone: the second draws an empty state
        // rather than trapping.
        guard var reducer = taken else { return SnapshotReducer().snapshot(status: status) }
        for record in batch { reducer.apply(record) }
        let snapshot = reducer.snapshot(status: status)
        shared.withLock { shared in
            // Records that came while this batch was applied wait for the next frame, unless
            // the producer could not fold them in the meantime and the queue is full.
            if shared.pending.count >= capacity {
                for record in shared.pending { reducer.apply(record) }
                shared.pending.removeAll(keepingCapacity: true)
            }
            shared.reducer = reducer
        }
        return snapshot
    }
}
