#if canImport(Glibc)
import Glibc
#endif

/// Reads a kernel-generated file (/proc, cgroup files) to its end. Such a file reports a size
/// of 0 and hands out its text a page or so per read(): a reader that trusts the size or reads
/// once (Foundation's `String(contentsOfFile:)` does) gets the first ~4 KiB only — 26 lines of
/// /proc/net/tcp, so every socket past them is missing.
public enum KernelFile {
    /// The whole text (up to `limit` bytes), or nil when the file cannot be opened.
    public static func read(_ path: String, limit: Int = 1 << 24) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return data
    }

    public static func text(_ path: String, limit: Int = 1 << 24) -> String? {
        read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }
}
