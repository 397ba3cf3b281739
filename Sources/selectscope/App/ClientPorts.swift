#if canImport(Glibc)
import Glibc
#endif
import SelectCore

/// The local TCP port of a client process's socket, read from /proc: the server sees it as
/// the connection's peer port, which ties a client row to its server-side fd. Read once per
/// client (the port never changes), so the cost is a few small files per client started.
enum ClientPorts {
    static func localPort(of pid: Int32) -> Int? {
        let inodes = socketInodes(of: pid)
        guard !inodes.isEmpty else { return nil }
        for table in ["tcp", "tcp6"] {
            guard let text = KernelFile.text("/proc/\(pid)/net/\(table)") else { continue }
            for row in KernelTCPRow.rows(text) where inodes.contains(row.inode) {
                if let port = KernelTCPRow.port(row.local) { return port }
            }
        }
        return nil
    }

    /// The inode numbers of the process's sockets (`/proc/PID/fd/N -> socket:[INODE]`).
    private static func socketInodes(of pid: Int32) -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        guard let directory = opendir("/proc/\(pid)/fd") else { return inodes }
        defer { closedir(directory) }
        var buffer = [CChar](repeating: 0, count: 256)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.first?.isNumber == true else { continue }
            let count = readlink("/proc/\(pid)/fd/\(name)", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()) { inodes.insert(inode) }
        }
        return inodes
    }
}
