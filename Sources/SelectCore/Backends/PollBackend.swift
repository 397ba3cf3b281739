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
    /// How each paused fd is watched, by fd (the lists carry the rest).
    private var watchLevel: [HangupWatch] = []

    /// POLLRDHUP is Linux's (glibc declares it only under _GNU_SOURCE); the same bit as
    /// EPOLLRDHUP.
    static let readHangup = Int16(ReadyEvents.readHangup.rawValue)

    func setInterest(fd: Int32, read: Bool, write: Bool, hangup: HangupWatch) {
        if hangup == .none && Int(fd) >= watchLevel.count { return }
        if Int(fd) >= watchLevel.count { watchLevel.append(contentsOf: repeatElement(.none, count: Int(fd) + 1 - watchLevel.count)) }
        watchLevel[Int(fd)] = hangup
    }

    func remove(fd: Int32) {
        if Int(fd) < watchLevel.count { watchLevel[Int(fd)] = .none }
    }

    func close() {}

    private func slotIndex(for fd: Int32) -> Int {
        if Int(fd) >= slot.count { slot.append(contentsOf: repeatElement(-1, count: Int(fd) + 1 - slot.count)) }
        if slot[Int(fd)] < 0 {
            slot[Int(fd)] = Int32(descriptors.count)
            descriptors.append(pollfd(fd: fd, events: 0, revents: 0))
        }
        return Int(slot[Int(fd)])
    }

    func wait(inputs: [Int32], outputs: [Int32], hangupWatch: [Int32], internalFDs: [Int32], timeout: Double?,
              into record: inout StepRecord) throws {
        descriptors.removeAll(keepingCapacity: true)
        for fd in inputs { descriptors[slotIndex(for: fd)].events |= Int16(POLLIN | POLLPRI) }
        for fd in outputs { descriptors[slotIndex(for: fd)].events |= Int16(POLLOUT) }
        // A paused fd asks for no data: only RDHUP (a FIN), and poll always reports HUP and ERR.
        // After its FIN was seen (a mode that still sends) it asks for nothing: HUP/ERR only.
        for fd in hangupWatch {
            let index = slotIndex(for: fd)
            if Int(fd) < watchLevel.count && watchLevel[Int(fd)] == .finishOrReset { descriptors[index].events |= Self.readHangup }
        }
        for fd in internalFDs { descriptors[slotIndex(for: fd)].events |= Int16(POLLIN) }
        defer { for descriptor in descriptors { slot[Int(descriptor.fd)] = -1 } }

        let milliseconds = timeout.map { Int32(($0 * 1000).rounded()) } ?? -1
        let result = try timedCall("poll", internalFDs: internalFDs, into: &record) {
            Glibc.poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        }
        guard let count = result else { return }
        if count == 0 { return }
        var left = Int(count)
        for descriptor in descriptors where descriptor.revents != 0 {
            record.returnedEvents.append(ReturnedEvents(fd: descriptor.fd, events: ReadyEvents(rawValue: UInt32(UInt16(bitPattern: descriptor.revents)))))
            left -= 1
            if left == 0 { break }
        }
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
        for fd in hangupWatch where descriptors[Int(slot[Int(fd)])].revents & (Self.readHangup | hangup) != 0 {
            record.hungUp.append(fd)
        }
        for fd in internalFDs where descriptors[Int(slot[Int(fd)])].revents & Int16(POLLIN) != 0 {
            record.internalReady.append(fd)
        }
    }
}
