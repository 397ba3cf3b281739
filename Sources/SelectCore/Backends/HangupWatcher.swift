import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// The select backend's way to notice that a paused connection's peer went away.
///
/// select() cannot wait for that by itself without spinning: on Linux its exceptional set
/// reports only urgent data (POLLPRI), never a FIN or a reset, and the read set would come
/// back at once for the bytes the server left unread on purpose. So the paused fds go into
/// a private epoll instance that watches only for RDHUP/HUP/ERR, and that one fd sits in
/// select's read set as an internal fd (listed under `internal`, never in `inputs`): the
/// lesson's lists stay exactly the seed's, and the same call still wakes on a hangup.
final class HangupWatcher {
    let fd: Int32
    /// The mask registered for each fd, by fd (0: not registered).
    private var registered: [UInt32] = []
    private(set) var count = 0
    private var buffer: UnsafeMutableRawPointer
    private let capacity: Int32 = 64

    /// Nil when no epoll instance can be had (out of descriptors), or when its fd would not
    /// fit in an fd_set: only when every fd below FD_SETSIZE is taken, and select then could
    /// not take another connection either.
    init?() {
        let fd = ss_epoll_create()
        guard fd >= 0 else { return nil }
        guard fd < FDSet.capacity else {
            Posix.close(fd)
            return nil
        }
        self.fd = fd
        buffer = ss_epoll_buffer_new(capacity)
    }

    deinit {
        ss_epoll_buffer_free(buffer)
        Posix.close(fd)
    }

    static func mask(for watch: HangupWatch) -> UInt32 {
        switch watch {
        case .none: return 0
        case .finishOrReset: return UInt32(SS_EPOLLRDHUP | SS_EPOLLHUP | SS_EPOLLERR)
        // epoll always reports HUP and ERR; naming them keeps the mask non-zero (registered).
        case .resetOnly: return UInt32(SS_EPOLLHUP | SS_EPOLLERR)
        }
    }

    func set(fd watched: Int32, _ watch: HangupWatch) {
        if Int(watched) >= registered.count {
            registered.append(contentsOf: repeatElement(0, count: Int(watched) + 1 - registered.count))
        }
        let old = registered[Int(watched)]
        let mask = Self.mask(for: watch)
        guard old != mask else { return }
        // A failed removal means the fd is gone already: forget it either way.
        if ss_epoll_set(fd, watched, old, mask) == 0 || mask == 0 {
            registered[Int(watched)] = mask
            if old == 0 && mask != 0 { count += 1 }
            if old != 0 && mask == 0 { count -= 1 }
        }
    }

    /// The watched fds whose peer went, without waiting. One batch: level-triggered, any
    /// left over come back on the next call.
    func collect(into hungUp: inout [Int32]) {
        let ready = ss_epoll_wait(fd, buffer, capacity, 0)
        guard ready > 0 else { return }
        for index in 0..<ready { hungUp.append(ss_epoll_event_fd(buffer, index)) }
    }
}
