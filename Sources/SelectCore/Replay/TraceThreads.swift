/// A trace of a traced program can hold the calls of several threads, each its own loop (a
/// server's accept loop, a helper polling a pipe). Replayed through one reducer their lists
/// would mix: a replay shows one thread's calls.
extension TraceFile {
    /// The threads whose calls the trace holds, first caller first (empty for the built-in
    /// server's own trace, whose records name no thread).
    public var loopThreads: [Int32] {
        var seen: [Int32] = []
        for record in records {
            if let tid = record.origin?.tid, !seen.contains(tid) { seen.append(tid) }
        }
        return seen
    }

    /// The thread shown when nobody chose: the first that waited on the listening socket
    /// (as `LoopThreadFeeds` chooses live), else the first caller.
    public var acceptLoopThread: Int32? {
        records.first { $0.origin != nil && $0.waitsOnListener }?.origin?.tid ?? loopThreads.first
    }

    /// The trace with only `tid`'s calls.
    public func calls(of tid: Int32) -> TraceFile {
        TraceFile(records: records.filter { $0.origin?.tid == tid }, damage: damage, listenAddress: listenAddress)
    }
}
