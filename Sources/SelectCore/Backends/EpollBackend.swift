import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// epoll(7): the interest list lives in the kernel and changes only when the server's
/// lists change; each call returns just the ready fds, however many are watched.
final class EpollBackend: ReadinessBackend {
    let kind = BackendKind.epoll
    private let epollFD: Int32
    /// The mask registered for each fd, by fd (0: not registered).
    private var registered: [UInt32] = []
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int32 = 256

    private static let readMask = UInt32(SS_EPOLLIN | SS_EPOLLPRI | SS_EPOLLRDHUP)
    private static let writeMask = UInt32(SS_EPOLLOUT)

    init() throws {
        let fd = ss_epoll_create()
        guard fd >= 0 else { throw SystemError("epoll_create1", errno: errno) }
        epollFD = fd
        buffer = ss_epoll_buffer_new(capacity)
    }

    deinit { ss_epoll_buffer_free(buffer) }

    func close() { Posix.close(epollFD) }

    /// A paused fd asks for no data: RDHUP (a FIN) only, HUP and ERR being always reported.
    /// After its FIN was seen (a mode that still sends), HUP and ERR only, named so the mask
    /// is not 0 (which would take the fd out of the interest list).
    func setInterest(fd: Int32, read: Bool, write: Bool, hangup: HangupWatch) {
        var mask = (read ? Self.readMask : 0) | (write ? Self.writeMask : 0)
        if !read { mask |= HangupWatcher.mask(for: hangup) }
        apply(fd: fd, mask: mask)
    }

    func remove(fd: Int32) {
        apply(fd: fd, mask: 0)
    }

    private func apply(fd: Int32, mask: UInt32) {
        if Int(fd) >= registered.count { registered.append(contentsOf: repeatElement(0, count: Int(fd) + 1 - registered.count)) }
        let old = registered[Int(fd)]
        guard old != mask else { return }
        // A failed removal means the fd is gone already: forget it either way.
        if ss_epoll_set(epollFD, fd, old, mask) == 0 || mask == 0 {
            registered[Int(fd)] = mask
        }
    }

    func wait(inputs: [Int32], outputs: [Int32], hangupWatch: [Int32], internalFDs: [Int32], timeout: Double?,
              into record: inout StepRecord) throws {
        for fd in internalFDs where Int(fd) >= registered.count || registered[Int(fd)] == 0 {
            apply(fd: fd, mask: UInt32(SS_EPOLLIN))
        }
        let milliseconds = timeout.map { Int32(($0 * 1000).rounded()) } ?? -1
        let result = try timedCall("epoll_wait", internalFDs: internalFDs, into: &record) {
            ss_epoll_wait(epollFD, buffer, capacity, milliseconds)
        }
        guard let count = result else { return }
        let hangup = UInt32(SS_EPOLLHUP | SS_EPOLLERR | SS_EPOLLRDHUP)
        for index in 0..<count {
            let fd = ss_epoll_event_fd(buffer, index)
            let ready = ss_epoll_event_mask(buffer, index)
            record.returnedEvents.append(ReturnedEvents(fd: fd, events: ReadyEvents(rawValue: ready)))
            if internalFDs.contains(fd) {
                record.internalReady.append(fd)
                continue
            }
            let interest = registered[Int(fd)]
            let reading = interest & UInt32(SS_EPOLLIN) != 0
            if reading && ready & (UInt32(SS_EPOLLIN) | hangup) != 0 { record.readable.append(fd) }
            if interest & Self.writeMask != 0 && ready & (Self.writeMask | UInt32(SS_EPOLLHUP | SS_EPOLLERR)) != 0 {
                record.writable.append(fd)
            }
            if reading && ready & UInt32(SS_EPOLLPRI) != 0 { record.exceptional.append(fd) }
            if !reading && interest & hangup != 0 && ready & hangup != 0 { record.hungUp.append(fd) }
        }
        // A full batch means more may be ready: grow so the next call can take them all.
        if count == capacity && capacity < 65536 {
            ss_epoll_buffer_free(buffer)
            capacity *= 2
            buffer = ss_epoll_buffer_new(capacity)
        }
    }
}
