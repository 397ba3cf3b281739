import CSystemShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel holds for a socket beside the server's own queue. Sampled by the producer
/// on its own thread (`ServerHost`), never on the screen's path.
enum KernelQueues {
    /// Above this many connections a sample skips the per-connection ioctls.
    static let sampleLimit = 512

    /// Every query made (one ioctl or getsockopt each), so a test can tell who makes them.
    static let queries = Atomic<Int>(0)

    static func unread(_ fd: Int32) -> Int? {
        queries.add(1, ordering: .relaxed)
        let value = ss_socket_unread(fd)
        return value >= 0 ? Int(value) : nil
    }

    static func unsent(_ fd: Int32) -> Int? {
        queries.add(1, ordering: .relaxed)
        let value = ss_socket_unsent(fd)
        return value >= 0 ? Int(value) : nil
    }

    static func pendingAccepts(_ listener: Int32) -> Int? {
        queries.add(1, ordering: .relaxed)
        let value = ss_listener_pending(listener)
        return value >= 0 ? Int(value) : nil
    }

    /// The listener's accept queue and each connection's two queues; only the listener's
    /// past `sampleLimit` connections.
    static func sample(listener: Int32, connections: [Int32], at time: Double) -> KernelSample {
        var sample = KernelSample()
        sample.time = time
        sample.listenerPending = pendingAccepts(listener)
        guard connections.count <= sampleLimit else { return sample }
        sample.connections.reserveCapacity(connections.count)
        for fd in connections {
            sample.connections[fd] = KernelSample.Queues(unread: unread(fd), unsent: unsent(fd))
        }
        return sample
    }
}
