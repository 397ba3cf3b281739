import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// An `fd_set`, the bit array select() reads and rewrites in place.
struct FDSet {
    static let capacity = Int32(ss_fd_setsize())

    var raw = fd_set()

    mutating func clear() { ss_fd_zero(&raw) }

    mutating func insert(_ fd: Int32) {
        precondition(fd >= 0 && fd < FDSet.capacity, "fd \(fd) does not fit in an fd_set")
        ss_fd_set(fd, &raw)
    }

    func contains(_ fd: Int32) -> Bool {
        withUnsafePointer(to: raw) { ss_fd_isset(fd, $0) != 0 }
    }
}
