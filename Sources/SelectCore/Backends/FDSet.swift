import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// An `fd_set`, the bit array select() reads and rewrites in place. It lives at a fixed
/// address, so testing a bit never copies the 128-byte set.
final class FDSet {
    static let capacity = Int32(ss_fd_setsize())

    let raw: UnsafeMutablePointer<fd_set>

    init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: fd_set())
    }

    deinit { raw.deallocate() }

    func clear() { ss_fd_zero(raw) }

    func insert(_ fd: Int32) {
        precondition(fd >= 0 && fd < FDSet.capacity, "fd \(fd) does not fit in an fd_set")
        ss_fd_set(fd, raw)
    }

    func contains(_ fd: Int32) -> Bool { ss_fd_isset(fd, raw) != 0 }

    /// How many fds below `limit` are in the set: after select(), how many came back ready,
    /// so a scan of the lists can stop at the last one.
    func count(below limit: Int32) -> Int {
        let words = (Int(limit) + 63) / 64
        let bits = UnsafeRawPointer(raw)
        var total = 0
        for word in 0..<words { total += bits.load(fromByteOffset: word * 8, as: UInt64.self).nonzeroBitCount }
        return total
    }
}
