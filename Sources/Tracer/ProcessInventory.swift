import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// What a running process already has when the tracer attaches: its sockets, its listener,
/// its epoll interest lists (from /proc/PID/fdinfo/EPFD), since the calls that made them
/// were never seen.
enum ProcessInventory {
    static func book(pid: Int32) -> ProcessBook {
        let book = ProcessBook(pid: pid)
        let table = SocketTable.entries(pid: pid)
        for fd in ProcFiles.fds(pid) {
            guard let link = ProcFiles.link("/proc/\(pid)/fd/\(fd)") else { continue }
            if link.hasPrefix("socket:["), let inode = UInt64(link.dropFirst(8).dropLast()) {
                book.sockets.insert(fd)
                if let entry = table[inode] {
                    if entry.listening {
                        if book.listener < 0 {
                            book.listener = fd
                            book.listenAddress = entry.local
                        }
                    } else {
                        book.peers[fd] = entry.remote
                    }
                }
            } else if link == "anon_inode:[eventpoll]" {
                book.interest[fd] = epollInterest(pid: pid, epfd: fd)
            }
        }
        return book
    }

    /// "tfd:        5 events:       19 data:                5  pos:0 ino:…" per watched fd.
    static func epollInterest(pid: Int32, epfd: Int32) -> [Int32: ProcessBook.Interest] {
        var interest: [Int32: ProcessBook.Interest] = [:]
        guard let text = ProcFiles.read("/proc/\(pid)/fdinfo/\(epfd)") else { return interest }
        for line in text.split(separator: "\n") where line.hasPrefix("tfd:") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            var fd: Int32?, events: UInt32?, data: UInt64?
            for (index, word) in words.enumerated() where index + 1 < words.count {
                switch word {
                case "tfd:": fd = Int32(words[index + 1])
                case "events:": events = UInt32(words[index + 1], radix: 16)
                case "data:": data = UInt64(words[index + 1], radix: 16)
                default: break
                }
            }
            if let fd, fd >= 0, fd < RemoteMemory.maxFD, let events, let data {
                interest[fd] = ProcessBook.Interest(events: events, data: data)
            }
        }
        return interest
    }

    /// The local address of a socket in another process: a copy of the fd (pidfd_getfd)
    /// asked directly, else /proc/net/tcp.
    static func localAddress(pid: Int32, fd: Int32) -> PeerAddress? {
        let copy = ts_copy_fd_checked(pid: pid, fd: fd)
        if copy >= 0 {
            defer { close(copy) }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let result = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(copy, $0, &length) }
            }
            if result == 0 {
                let raw = withUnsafeBytes(of: storage) { Array($0.prefix(Int(length))) }
                if let peer = SocketAddressBytes.peer(raw) { return peer }
            }
        }
        return SocketTable.entry(pid: pid, fd: fd)?.local
    }
}

import CTracerShim

private func ts_copy_fd_checked(pid: Int32, fd: Int32) -> Int32 { ts_copy_fd(pid, fd) }
