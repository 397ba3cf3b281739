import Synchronization

/// The channel from a producer's thread (the server loop, a tracer) to the screen.
///
/// The producer publishes each call's record and, when it changes, its status; each costs a
/// move or a copy under the feed's lock and nothing else. The screen takes the records that
/// arrived since it last looked and applies them, outside the lock, to the one
/// `SnapshotReducer`.
///
/// The records go into slots the feed keeps and reuses, so at machine speed a call costs the
/// producer no allocation: copied (the producer's buffers stay its own) or, cheaper, moved
/// (`publish(taking:)`: the producer gets an applied record's buffers back to reuse).
///
/// Drained early: at machine speed a frame spans thousands of calls, and a queue that held
/// them all until the frame kept thousands of records' buffers going round (memory, page
/// faults, cold caches). So once `backlogAt` records wait, the feed rings the screen's
/// `backlog` doorbell and the screen applies them (`catchUp`) without drawing: a few hundred
/// at a time, still in the cache, on the screen's thread.
///
/// Bounded: when the screen falls `capacity` records behind all the same (a frame stuck on a
/// slow terminal), the producer applies the backlog to the reducer itself, under the lock,
/// and starts again with an empty queue. Nothing is dropped, and the queue never holds more
/// than `capacity` records plus what arrives while the screen is applying one batch.
public final class LiveFeed: Sendable {
    private struct Shared {
        /// `slots[0..<count]` are the records not applied yet, oldest first.
        var slots: [StepRecord] = []
        var count = 0
        /// The screen's reducer between frames; nil while the screen is applying a batch.
        var reducer: SnapshotReducer?
        var status = ProducerStatus()
        /// Records the producer applied itself because the screen was behind.
        var folded = 0

        mutating func foldPending(into reducer: inout SnapshotReducer) {
            let pending = count
            slots.withUnsafeMutableBufferPointer { all in
                reducer.apply(contentsOf: UnsafeMutableBufferPointer(rebasing: all[..<pending]))
            }
            folded += count
            count = 0
        }
    }

    public let capacity: Int
    /// Records waiting when the screen is rung to take them. Measured at N = 100 × 64 B,
    /// epoll, mode 3: taken only at frames, the queue held 109 MB and the dashboard spent
    /// 2.3 % of its time in page faults; taken 256 at a time, 49 MB and 0.7 %.
    public static let backlogAt = 256
    private let backlog: Doorbell?
    private let shared: Mutex<Shared>
    /// The slots of the batch the screen applied last; handed back to the producer next frame.
    private let screenSlots = Mutex<[StepRecord]>([])

    /// `listener`: what the first call will watch, shown before it completes. `traced`: the
    /// producer is a tracer (see `ServerSnapshot.tracedProgram`).
    /// `backlog`: rung when `backlogAt` records wait (the screen then calls `catchUp`).
    public init(listener: Int32 = -1, logCapacity: Int = 200, capacity: Int = 4096, traced: Bool = false,
                backlog: Doorbell? = nil) {
        self.capacity = max(1, capacity)
        self.backlog = backlog
        shared = Mutex(Shared(reducer: SnapshotReducer(listener: listener, logCapacity: logCapacity, traced: traced)))
    }

    // MARK: - Producer side

    /// A call's record, in call order, copied into the feed's slots. Producer thread.
    public func publish(_ record: StepRecord) {
        enqueue { $0.copyContents(of: record) }
    }

    /// A call's record, in call order, moved into the feed rather than copied: `record` comes
    /// back holding a record the screen is done with, whose buffers the producer reuses. Its
    /// contents are stale; the producer clears it before its next call. Producer thread.
    public func publish(taking record: inout StepRecord) {
        enqueue { swap(&$0, &record) }
    }

    private func enqueue(_ fill: (inout StepRecord) -> Void) {
        let capacity = self.capacity
        let waiting = shared.withLock { shared -> Int in
            if shared.count == shared.slots.count { shared.slots.append(StepRecord()) }
            fill(&shared.slots[shared.count])
            shared.count += 1
            guard shared.count >= capacity, var reducer = shared.reducer.take() else { return shared.count }
            shared.foldPending(into: &reducer)
            shared.reducer = reducer
            return 0
        }
        if waiting == Self.backlogAt { backlog?.ring() }
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
    /// `each` sees the last `eachOfLast` records applied, on the screen's thread (the
    /// timeline's history, which keeps only its last calls: at machine speed a frame's batch
    /// holds thousands, and copying every one into a history that drops most of them at once
    /// was most of the screen's cost per call).
    public func snapshot(eachOfLast: Int = .max, each: ((StepRecord) -> Void)? = nil) -> ServerSnapshot {
        applyPending(eachOfLast: eachOfLast, each: each) { reducer, status in reducer.snapshot(status: status) }
    }

    /// `snapshot` without the snapshot: the records applied and seen, when the backlog
    /// doorbell rang between frames, or for a feed that is not on screen (another thread's
    /// loop) whose reducer and history must keep up.
    public func catchUp(eachOfLast: Int = .max, each: ((StepRecord) -> Void)? = nil) {
        applyPending(eachOfLast: eachOfLast, each: each) { _, _ in () }
    }

    private func applyPending<Result>(eachOfLast: Int, each: ((StepRecord) -> Void)?,
                                      then finish: (SnapshotReducer, ProducerStatus) -> Result) -> Result {
        screenSlots.withLock { batch in
            // Moved out, not copied: the reducer applies the batch to storage only it holds.
            var taken: SnapshotReducer?
            var status = ProducerStatus()
            var count = 0
            shared.withLock { shared in
                swap(&batch, &shared.slots)
                count = shared.count
                shared.count = 0
                taken = shared.reducer.take()
                status = shared.status
            }
            guard var reducer = taken.take() else { return finish(SnapshotReducer(), status) }
            let firstSeen = count - min(count, max(0, eachOfLast))
            batch.withUnsafeMutableBufferPointer { all in
                let records = UnsafeMutableBufferPointer(rebasing: all[..<count])
                reducer.apply(contentsOf: records)
                if let each { for index in firstSeen..<count { each(records[index]) } }
            }
            let result = finish(reducer, status)
            shared.withLock { shared in
                // Records that came while this batch was applied wait for the next frame,
                // unless the queue filled meanwhile (the producer could not fold them).
                if shared.count >= capacity { shared.foldPending(into: &reducer) }
                shared.reducer = reducer
            }
            return result
        }
    }
}

extension StepRecord {
    /// Becomes a copy of `other`, reusing this record's buffers for the lists a call fills,
    /// so that neither record shares a buffer with the other afterwards.
    mutating func copyContents(of other: StepRecord) {
        var inputs = self.inputs, outputs = self.outputs, internalFDs = self.internalFDs
        var readable = self.readable, writable = self.writable, exceptional = self.exceptional
        var internalReady = self.internalReady, events = self.events, queues = self.queues
        // Every field, the ones added later included; then the buffers go back in.
        self = other
        Self.refill(&inputs, other.inputs)
        Self.refill(&outputs, other.outputs)
        Self.refill(&internalFDs, other.internalFDs)
        Self.refill(&readable, other.readable)
        Self.refill(&writable, other.writable)
        Self.refill(&exceptional, other.exceptional)
        Self.refill(&internalReady, other.internalReady)
        Self.refill(&events, other.events)
        Self.refill(&queues, other.queues)
        self.inputs = inputs
        self.outputs = outputs
        self.internalFDs = internalFDs
        self.readable = readable
        self.writable = writable
        self.exceptional = exceptional
        self.internalReady = internalReady
        self.events = events
        self.queues = queues
    }

    private static func refill<Element>(_ buffer: inout [Element], _ contents: [Element]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: contents)
    }
}
