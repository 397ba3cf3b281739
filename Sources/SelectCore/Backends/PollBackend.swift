#if canImport(Glibc)
import Glibc
#endif

/// poll(2): one `pollfd` per watched fd, no FD_SETSIZE ceiling, but still the whole list
/// handed to the kernel and scanned on every call.
final class PollBackend: ReadinessBackend {
    let kind = BackendKind.poll
    private var descriptors: [pollfd] = []
    /// Index in `descriptors` of each fd for this call, by fd; -1 when absent.
    private var slot: [Int32] = []

    func setInterest(fd: Int32, read: Bool, write: Bool) {}
    func remove(fd: Int32) {}
    func close() {}

    private func slotIndex(for fd: Int32) -> Int {
        if Int(fd) >= slot.count { slot.append(contentsOf: repeatElement(-1, count: Int(fd) + 1 - slot.count)) }
        if slot[Int(fd)] < 0 {
            slot[Int(fd)] = Int32(descriptors.count)
            descriptors.append(pollfd(fd: fd, events: 0, revents: 0))
        }
        return Int(slot[Int(fd)])
    }

    func wait(inputs: [Int32], outputs: [Int32], internalFDs: [Int32], timeout: Double?, into record: inout StepRecord) throws {
        descriptors.removeAll(keepingCapacity: true)
        for fd in inputs { descriptors[slotIndex(for: fd)].events |= Int16(POLLIN | POLLPRI) }
        for fd in outputs { descriptors[slotIndex(for: fd)].events |= Int16(POLLOUT) }
        for fd in internalFDs { descriptors[slotIndex(for: fd)].events |= Int16(POLLIN) }
        defer { for descriptor in descriptors { slot[Int(descriptor.fd)] = -1 } }

        let milliseconds = timeout.map { Int32(($0 * 1000).rounded()) } ?? -1
        let result = try timedCall("poll", internalFDs: internalFDs, into: &record) {
            Glibc.poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        }
        guard let count = result else { return }
        if count == 0 { return }
        let hangup = Int16(POLLHUP | POLLERR | POLLNVAL)
        for fd in inputs {
            let revents = descriptors[Int(slot[Int(fd)])].revents
            if revents & (Int16(POLLIN) | hangup) != 0 { record.readable.append(fd) }
        }
        for fd in outputs {
            let revents = descriptors[Int(slot[Int(fd)])].revents
            if revents & (Int16(POLLOUT) | hangup) != 0 { record.writable.append(fd) }
        }
        for fd in inputs where descriptors[Int(slot[Int(fd)])].revents & Int16(POLLPRI) != 0 {
            record.exceptional.append(fd)
        }
        for fd in internalFDs where descriptors[Int(slot[Int(fd)])].revents & Int16(POLLIN) != 0 {
            record.internalReady.append(fd)
        }
    }
}
