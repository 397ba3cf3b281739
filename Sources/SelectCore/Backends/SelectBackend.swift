#if canImport(Glibc)
import Glibc
#endif

/// select(2), exactly as the lesson has it: three fresh fd_sets and a fresh timeval every
/// call, because select rewrites both in place.
final class SelectBackend: ReadinessBackend {
    let kind = BackendKind.select
    private var readSet = FDSet()
    private var writeSet = FDSet()
    private var exceptSet = FDSet()

    func setInterest(fd: Int32, read: Bool, write: Bool) {}
    func remove(fd: Int32) {}
    func close() {}

    func wait(inputs: [Int32], outputs: [Int32], internalFDs: [Int32], timeout: Double?, into record: inout StepRecord) throws {
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
                ? Glibc.select(highest + 1, &readSet.raw, &writeSet.raw, &exceptSet.raw, nil)
                : Glibc.select(highest + 1, &readSet.raw, &writeSet.raw, &exceptSet.raw, &interval)
        }
        guard let count = result else { return }
        if count == 0 { return }
        for fd in inputs where readSet.contains(fd) { record.readable.append(fd) }
        for fd in outputs where writeSet.contains(fd) { record.writable.append(fd) }
        for fd in inputs where exceptSet.contains(fd) { record.exceptional.append(fd) }
        for fd in internalFDs where readSet.contains(fd) { record.internalReady.append(fd) }
    }
}
