/// Per connection of a traced program, the bytes the kernel holds: received and not read
/// yet, sent and not acknowledged yet (/proc/net/tcp's rx_queue and tx_queue). What the
/// program keeps in its own memory stays unknown. Read at the caller's bounded rate.
public enum TracedKernelQueues {
    public struct Depth: Sendable, Equatable {
        public var unread: Int
        public var unsent: Int
    }

    public static func sample(pid: Int32, fds: [Int32]) -> [Int32: Depth] {
        guard !fds.isEmpty else { return [:] }
        let table = SocketTable.entries(pid: pid)
        var depths: [Int32: Depth] = [:]
        for fd in fds {
            if let inode = SocketTable.inode(pid: pid, fd: fd), let entry = table[inode] {
                depths[fd] = Depth(unread: entry.unread, unsent: entry.unsent)
            }
        }
        return depths
    }
}
