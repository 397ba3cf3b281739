#if canImport(Glibc)
import Glibc
#endif

/// The local TCP port of a client process's socket, read from /proc: the server sees it as
/// the connection's peer port, which ties a client row to its server-side fd. Read once per
/// client (the port never changes), so the cost is a few small files per client started.
enum ClientPorts {
    static func localPort(of pid: Int32) -> Int? {
        let inodes = socketInodes(of: pid)
        guard !inodes.isEmpty else { return nil }
        for table in ["tcp", "tcp6"] {
            guard let text = readFile("/proc/\(pid)/net/\(table)") else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, inodes.contains(String(fields[9])) else { continue }
                // local_address is HEXADDR:HEXPORT.
                if let colon = fields[1].lastIndex(of: ":"), let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16) {
                    return port
                }
            }
        }
        return nil
    }

    /// The inode numbers of the process's sockets (`/proc/PID/fd/N -> socket:[INODE]`).
    private static func socketInodes(of pid: Int32) -> Set<String> {
        var inodes: Set<String> = []
        guard let directory = opendir("/proc/\(pid)/fd") else { return inodes }
        defer { closedir(directory) }
        var buffer = [CChar](repeating: 0, count: 256)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.first?.isNumber == true else { continue }
            let count = readlink("/proc/\(pid)/fd/\(name)", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:[") { inodes.insert(String(target.dropFirst(8).dropLast())) }
        }
        return inodes
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
