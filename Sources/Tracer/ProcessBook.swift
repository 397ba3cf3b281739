import SelectCore

/// What the tracer knows of one traced process (a thread group): its sockets, its
/// listener, its epoll interest lists. Built from the calls it watched (and, when attaching,
/// from /proc).
final class ProcessBook {
    struct Interest: Equatable {
        var events: UInt32
        var data: UInt64
    }

    let pid: Int32
    /// The fd listen() succeeded on last: the record's `listener`.
    var listener: Int32 = -1
    var listenAddress: PeerAddress?
    var sockets: Set<Int32> = []
    var peers: [Int32: PeerAddress] = [:]
    /// Connections whose peer finished sending (a recv returned 0): their close is an EOF.
    var sawEOF: Set<Int32> = []
    /// The last error a recv or send on the fd returned (ECONNRESET, EPIPE).
    var lastError: [Int32: String] = [:]
    /// fds with SO_REUSEADDR set (so a listener without it can be pointed out).
    var reuseAddress: Set<Int32> = []
    /// epoll fd → watched fd → interest.
    var interest: [Int32: [Int32: Interest]] = [:]

    init(pid: Int32) { self.pid = pid }

    /// A forked child starts with its parent's descriptors.
    func copy(as pid: Int32) -> ProcessBook {
        let child = ProcessBook(pid: pid)
        child.listener = listener
        child.listenAddress = listenAddress
        child.sockets = sockets
        child.peers = peers
        child.reuseAddress = reuseAddress
        child.interest = interest
        return child
    }

    func closed(_ fd: Int32) {
        sockets.remove(fd)
        peers[fd] = nil
        sawEOF.remove(fd)
        lastError[fd] = nil
        reuseAddress.remove(fd)
        interest[fd] = nil
        // The kernel drops a closed fd from every epoll set (when it was the last reference,
        // which is the usual case for these programs).
        for epfd in interest.keys { interest[epfd]?[fd] = nil }
        if fd == listener { listener = -1 }
    }

    func duplicated(_ old: Int32, as new: Int32) {
        closed(new)
        if sockets.contains(old) { sockets.insert(new) }
        peers[new] = peers[old]
    }
}
