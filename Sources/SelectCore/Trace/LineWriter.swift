#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines to a file descriptor, one write per batch, so another process
/// following the file sees each record complete as soon as it is made.
///
/// A write that fails (a full disk, a closed pipe, an I/O error) is kept as `failure`, and
/// nothing more is written after it: what the file holds stays a run of whole lines. When a
/// failing batch had already been written in part, a regular file is cut back to the end of
/// the last whole line (a pipe cannot be; its reader sees the partial line end).
public final class LineWriter {
    private let fd: Int32
    private let ownsFD: Bool
    /// Names the output in messages: the path, or "stdout"/"stderr".
    public let name: String
    private var buffer: [UInt8] = []
    /// The file offset just after the last whole line written; nil when the output cannot be
    /// cut back (a pipe, a terminal).
    private var wholeLinesEnd: off_t?
    /// The first write that failed; nothing is written after it.
    public private(set) var failure: SystemError?

    public init(fd: Int32, ownsFD: Bool = false, name: String? = nil) {
        self.fd = fd
        self.ownsFD = ownsFD
        self.name = name ?? LineWriter.standardName(fd)
        buffer.reserveCapacity(4096)
        var status = stat()
        if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG {
            let offset = lseek(fd, 0, SEEK_CUR)
            if offset >= 0 { wholeLinesEnd = offset }
        }
    }

    private static func standardName(_ fd: Int32) -> String {
        switch fd {
        case STDOUT_FILENO: return "stdout"
        case STDERR_FILENO: return "stderr"
        default: return "fd \(fd)"
        }
    }

    /// Opens (truncating) a file, or standard output for "-".
    public static func open(path: String) throws -> LineWriter {
        if path == "-" { return LineWriter(fd: STDOUT_FILENO) }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(path)", errno: errno) }
        return LineWriter(fd: fd, ownsFD: true, name: path)
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

    /// Appends bytes that are already whole lines (each ends with a newline).
    public func append(lines bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// Writes what was appended. False when it could not be written, now or before (see
    /// `failure`); the batch is dropped either way.
    @discardableResult
    public func flush() -> Bool {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return false }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    // A descriptor someone else made non-blocking: wait until it takes more.
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = Glibc.poll(&descriptor, 1, -1)
                    continue
                }
                fail(SystemError("write \(name)", errno: code), written: offset)
                return false
            }
            if written == 0 {
                fail(SystemError("write \(name)", errno: EIO), written: offset)
                return false
            }
            offset += written
        }
        if let end = wholeLinesEnd { wholeLinesEnd = end + off_t(buffer.count) }
        return true
    }

    /// Keeps the first failure and cuts a regular file back to its last whole line.
    private func fail(_ error: SystemError, written: Int) {
        failure = error
        guard let end = wholeLinesEnd, written > 0 else { return }
        var keep = 0
        if let lastNewline = buffer[0..<written].lastIndex(of: UInt8(ascii: "\n")) { keep = lastNewline + 1 }
        if keep < written {
            _ = ftruncate(fd, end + off_t(keep))
        }
        wholeLinesEnd = end + off_t(keep)
    }
}
