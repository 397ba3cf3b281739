import Synchronization

/// A traced program's loops: one `LiveFeed` (so one reducer, one checklist) per thread that
/// makes readiness calls. Two threads' calls folded into one reducer would mix their lists;
/// the screen shows one thread's loop at a time and a key moves to the next.
///
/// The producer (the tracer's thread) publishes each record to its thread's feed; status
/// that is the program's (its listening address, the run state) goes to every feed, status
/// that is one thread's (the call it is held at or blocked in) to that thread's.
public final class LoopThreadFeeds: Sendable {
    private struct Shared {
        /// In the order the threads made their first readiness call.
        var threads: [(tid: Int32, feed: LiveFeed)] = []
        /// The threads that waited on a listening socket: the server's accept loop.
        var listening: [Int32] = []
        /// What every feed's status starts from (a thread seen late gets the program's).
        var common = ProducerStatus()
    }

    private let shared = Mutex(Shared())
    private let logCapacity: Int
    private let backlog: Doorbell?

    /// `backlog`: every thread's feed rings it when records pile up (see `LiveFeed`).
    public init(logCapacity: Int = 200, backlog: Doorbell? = nil) {
        self.logCapacity = logCapacity
        self.backlog = backlog
    }

    // MARK: - Producer side

    /// A call's record, to its thread's feed (a new thread gets a feed of its own).
    public func publish(_ record: StepRecord) {
        let tid = record.origin?.tid ?? 0
        feed(for: tid, creating: true)?.publish(record)
        if record.waitsOnListener {
            shared.withLock { if !$0.listening.contains(tid) { $0.listening.append(tid) } }
        }
    }

    /// Changes the status of every thread's feed (and of feeds made later).
    public func updateStatus(_ change: (inout ProducerStatus) -> Void) {
        let feeds = shared.withLock { shared -> [LiveFeed] in
            change(&shared.common)
            return shared.threads.map(\.feed)
        }
        for feed in feeds { feed.updateStatus(change) }
    }

    /// Changes one thread's status (the call it is held at or blocked in).
    public func updateStatus(of tid: Int32, _ change: (inout ProducerStatus) -> Void) {
        feed(for: tid, creating: true)?.updateStatus(change)
    }

    private func feed(for tid: Int32, creating: Bool) -> LiveFeed? {
        let logCapacity = self.logCapacity
        let backlog = self.backlog
        return shared.withLock { shared in
            if let found = shared.threads.first(where: { $0.tid == tid }) { return found.feed }
            guard creating else { return nil }
            let feed = LiveFeed(logCapacity: logCapacity, traced: true, backlog: backlog)
            let common = shared.common
            feed.updateStatus { $0 = common }
            shared.threads.append((tid, feed))
            return feed
        }
    }

    // MARK: - Screen side

    /// The threads that made readiness calls, first caller first.
    public var threads: [Int32] { shared.withLock { $0.threads.map(\.tid) } }

    /// The thread to show when nobody chose: the first that waited on a listening socket
    /// (the accept loop, not a helper thread polling a pipe), else the first caller.
    public var preferred: Int32? {
        shared.withLock { $0.listening.first ?? $0.threads.first?.tid }
    }

    /// Applies every thread's new records without building a snapshot (the screen was rung:
    /// records piled up between frames); `each` as in `snapshot`.
    public func catchUp(eachOfLast: Int = .max, each: ((Int32, StepRecord) -> Void)? = nil) {
        for (thread, feed) in shared.withLock({ $0.threads }) {
            feed.catchUp(eachOfLast: eachOfLast) { record in each?(thread, record) }
        }
    }

    /// Applies every thread's new records (the last `eachOfLast` of each thread's seen by
    /// `each` with its thread, as `LiveFeed.snapshot` has it) and returns
    /// `shown`'s snapshot (or the preferred thread's), with the threads listed in it. Before
    /// any call: a snapshot with the program's status and no thread.
    public func snapshot(showing shown: Int32?, eachOfLast: Int = .max, each: ((Int32, StepRecord) -> Void)? = nil) -> ServerSnapshot {
        let (threads, common, preferred) = shared.withLock { ($0.threads, $0.common, $0.listening.first ?? $0.threads.first?.tid) }
        let tid = shown.flatMap { wanted in threads.contains { $0.tid == wanted } ? wanted : nil } ?? preferred
        var result: ServerSnapshot?
        for (thread, feed) in threads {
            if thread == tid {
                result = feed.snapshot(eachOfLast: eachOfLast) { record in each?(thread, record) }
            } else {
                // Kept up to date, not drawn: no snapshot to build.
                feed.catchUp(eachOfLast: eachOfLast) { record in each?(thread, record) }
            }
        }
        guard var snapshot = result else {
            var empty = SnapshotReducer(traced: true).snapshot(status: common)
            empty.loopThreads = []
            return empty
        }
        snapshot.loopThreads = threads.map(\.tid)
        snapshot.shownThread = tid
        return snapshot
    }
}
