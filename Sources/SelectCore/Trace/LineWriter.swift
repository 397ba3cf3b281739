#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines to a file descriptor, one write per batch, so another process
/// following the file sees each record complete as soon as it is made.
public final class LineWriter {
    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []

    public init(fd: Int32, ownsFD: Bool = false) {
        self.fd = fd
        self.ownsFD = ownsFD
        buffer.reserveCapacity(4096)
    }

    /// Opens (truncating) a file, or standard output for "-".
    public static func open(path: String) throws -> LineWriter {
        if path == "-" { return LineWriter(fd: STDOUT_FILENO) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(path)", errno: errno) }
        return LineWriter(fd: fd, ownsFD: true)
    }

    deinit {
        flush()
        if ownsFD { Glibc.close(fd) }
    }

    public func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    public func appendLine(_ text: String) {
        append(text)
        buffer.append(UInt8(ascii: "\n"))
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                break  // a closed pipe or full disk: the server goes on without its log
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
