import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel holds for a socket beside the server's own queue.
enum KernelQueues {
    /// Above this many connections a snapshot skips the per-connection ioctls.
    static let sampleLimit = 512

    static func unread(_ fd: Int32) -> Int? {
        let value = ss_socket_unread(fd)
        return value >= 0 ? Int(value) : nil
    }

    static func unsent(_ fd: Int32) -> Int? {
        let value = ss_socket_unsent(fd)
        return value >= 0 ? Int(value) : nil
    }

    static func pendingAccepts(_ listener: Int32) -> Int? {
        let value = ss_listener_pending(listener)
        return value >= 0 ? Int(value) : nil
    }
}
