#if canImport(Glibc)
import Glibc
#endif

/// select(2), exactly as the lesson has it: three fresh fd_sets and a fresh timeval every
/// call, because select rewrites both in place.
final class SelectBackend: ReadinessBackend {
    let kind = BackendKind.select
    private let readSet = FDSet()
    private let writeSet = FDSet()
    private let exceptSet = FDSet()

    /// Made the first time a connection is paused (so the fds of a run that never pauses are
    /// numbered as before), kept afterwards.
    private var watcher: HangupWatcher?

    func setInterest(fd: Int32, read: Bool, write: Bool, hangup: HangupWatch) {
        if hangup != .none && watcher == nil { watcher = HangupWatcher() }
        watcher?.set(fd: fd, hangup)
    }

    func remove(fd: Int32) { watcher?.set(fd: fd, .none) }

    func close() { watcher = nil }

    func wait(inputs: [Int32], outputs: [Int32], hangupWatch: [Int32], internalFDs: [Int32], timeout: Double?,
              into record: inout StepRecord) throws {
        readSet.clear()
        writeSet.clear()
        exceptSet.clear()
        var highest: Int32 = -1
        for fd in inputs {
            readSet.insert(fd)
            exceptSet.insert(fd)
            highest = max(highest, fd)
        }
        for fd in internalFDs {
            readSet.insert(fd)
            highest = max(highest, fd)
        }
        let watching = watcher.flatMap { $0.count > 0 ? $0 : nil }
        if let watching {
            readSet.insert(watching.fd)
            highest = max(highest, watching.fd)
            record.internalFDs.append(watching.fd)
        }
        for fd in outputs {
            writeSet.insert(fd)
            highest = max(highest, fd)
        }

        var interval = timeval()
        if let timeout {
            interval.tv_sec = Int(timeout)
            interval.tv_usec = Int((timeout - Double(Int(timeout))) * 1_000_000)
        }
        let result = try timedCall("select", internalFDs: internalFDs, into: &record) {
            timeout == nil
                ? Glibc.select(highest + 1, readSet.raw, writeSet.raw, exceptSet.raw, nil)
                : Glibc.select(highest + 1, readSet.raw, writeSet.raw, exceptSet.raw, &interval)
        }
        guard let count = result else { return }
        if count == 0 { return }
        // In list order, as Python's select builds its result lists; each scan stops at the
        // last ready fd of its set.
        for fd in internalFDs where readSet.contains(fd) { record.internalReady.append(fd) }
        if let watching, readSet.contains(watching.fd) {
            record.internalReady.append(watching.fd)
            watching.collect(into: &record.hungUp)
        }
        Self.collect(from: readSet, in: inputs, limit: highest + 1, skipping: record.internalReady.count, into: &record.readable)
        Self.collect(from: writeSet, in: outputs, limit: highest + 1, skipping: 0, into: &record.writable)
        Self.collect(from: exceptSet, in: inputs, limit: highest + 1, skipping: 0, into: &record.exceptional)
    }

    /// Appends the fds of `list` that are in `set`. `skipping` ready bits belong to fds not in
    /// the list (the wake-up pipe).
    private static func collect(from set: FDSet, in list: [Int32], limit: Int32, skipping: Int, into ready: inout [Int32]) {
        var left = set.count(below: limit) - skipping
        for fd in list {
            if left <= 0 { break }
            if set.contains(fd) {
                ready.append(fd)
                left -= 1
            }
        }
    }
}
