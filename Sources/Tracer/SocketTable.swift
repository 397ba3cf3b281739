import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about another process's sockets: the inode behind an fd, and the
/// addresses /proc/net/tcp{,6} lists for that inode (for an accept() made without an
/// address buffer, or a process attached to mid-way).
enum SocketTable {
    /// The socket inode of `fd` in `pid`, from the /proc/PID/fd link ("socket:[12345]").
    static func inode(pid: Int32, fd: Int32) -> UInt64? {
        guard let link = ProcFiles.link("/proc/\(pid)/fd/\(fd)"), link.hasPrefix("socket:[") else { return nil }
        return UInt64(link.dropFirst(8).dropLast())
    }

    struct Entry {
        var local: PeerAddress
        var remote: PeerAddress
        var listening: Bool
        var unsent: Int
        var unread: Int
    }

    static func entry(pid: Int32, fd: Int32) -> Entry? {
        guard let inode = inode(pid: pid, fd: fd) else { return nil }
        return entries(pid: pid)[inode]
    }

    static func peer(pid: Int32, fd: Int32) -> PeerAddress? {
        guard let entry = entry(pid: pid, fd: fd), !entry.listening else { return nil }
        return entry.remote
    }

    /// inode → entry for the process's network namespace.
    static func entries(pid: Int32) -> [UInt64: Entry] {
        var table: [UInt64: Entry] = [:]
        for (file, v6) in [("tcp", false), ("tcp6", true)] {
            guard let text = ProcFiles.read("/proc/\(pid)/net/\(file)") else { continue }
            for row in KernelTCPRow.rows(text) {
                guard let local = address(row.local, v6: v6), let remote = address(row.remote, v6: v6) else { continue }
                table[row.inode] = Entry(local: local, remote: remote, listening: row.state == KernelTCPRow.listenState,
                                         unsent: row.unsent, unread: row.unread)
            }
        }
        return table
    }

    /// "0100007F:04D2" (IPv4, the address as the kernel's 32-bit words in host order).
    static func address(_ field: Substring, v6: Bool) -> PeerAddress? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16) else { return nil }
        let hex = Array(parts[0])
        guard hex.count == (v6 ? 32 : 8) else { return nil }
        var bytes: [UInt8] = []
        // Each 8-hex-digit word is printed in host (little-endian) order.
        for word in stride(from: 0, to: hex.count, by: 8) {
            guard let value = UInt32(String(hex[word..<word + 8]), radix: 16) else { return nil }
            let network = value.littleEndian
            bytes += [UInt8(network & 0xff), UInt8(network >> 8 & 0xff), UInt8(network >> 16 & 0xff), UInt8(network >> 24)]
        }
        var text = [CChar](repeating: 0, count: 64)
        _ = bytes.withUnsafeBytes { inet_ntop(v6 ? AF_INET6 : AF_INET, $0.baseAddress, &text, 64) }
        var host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if host.hasPrefix("::ffff:") && host.contains(".") { host = String(host.dropFirst(7)) }
        return PeerAddress(host: host, port: port)
    }
}

/// Small reads of /proc files and links.
enum ProcFiles {
    static func read(_ path: String, limit: Int = 1 << 22) -> String? {
        KernelFile.text(path, limit: limit)
    }

    static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The value of a "Key:\tvalue" line of /proc/PID/status.
    static func status(_ pid: Int32, _ key: String) -> String? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// The fds a process has open (numbers only).
    static func fds(_ pid: Int32) -> [Int32] {
        guard let dir = opendir("/proc/\(pid)/fd") else { return [] }
        defer { closedir(dir) }
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name) { fds.append(fd) }
        }
        return fds.sorted()
    }

    static func threads(_ pid: Int32) -> [Int32] {
        guard let dir = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(dir) }
        var tids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let tid = Int32(name) { tids.append(tid) }
        }
        return tids.sorted()
    }
}
