import CSystemShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: which call, and the errno it left.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The errno's symbolic name (ECONNRESET), as a log line wants it.
    public var name: String { SystemError.symbolicName(errno) }

    /// strerror text: "Connection reset by peer".
    public var message: String { String(cString: strerror(errno)) }

    public var description: String { "\(call): \(message) (\(name))" }

    static func symbolicName(_ code: Int32) -> String {
        switch code {
        case ECONNRESET: return "ECONNRESET"
        case EPIPE: return "EPIPE"
        case EAGAIN: return "EAGAIN"
        case EINTR: return "EINTR"
        case EADDRINUSE: return "EADDRINUSE"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EACCES: return "EACCES"
        case ECONNREFUSED: return "ECONNREFUSED"
        case ETIMEDOUT: return "ETIMEDOUT"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EBADF: return "EBADF"
        case EINVAL: return "EINVAL"
        case ENOTCONN: return "ENOTCONN"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case ENETUNREACH: return "ENETUNREACH"
        case ENOSPC: return "ENOSPC"
        case EIO: return "EIO"
        default: return "errno \(code)"
        }
    }
}

/// The one funnel for system calls: retries EINTR, reports "would block" as a value,
/// throws `SystemError` for everything else.
public enum Posix {
    enum IOResult: Equatable {
        case done(Int)
        case wouldBlock
    }

    @inline(__always)
    static func retrying(_ call: String, _ body: () -> Int) throws -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(call, errno: code)
        }
    }

    @inline(__always)
    static func nonBlocking(_ call: String, _ body: () -> Int) throws -> IOResult {
        while true {
            let result = body()
            if result >= 0 { return .done(result) }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SystemError(call, errno: code)
        }
    }

    public static func close(_ fd: Int32) {
        // Linux closes the fd even when close() reports EINTR: never retry.
        _ = Glibc.close(fd)
    }

    public static func setNonBlocking(_ fd: Int32) throws {
        let flags = try retrying("fcntl(F_GETFL)") { Int(fcntl(fd, F_GETFL)) }
        _ = try retrying("fcntl(F_SETFL)") { Int(fcntl(fd, F_SETFL, Int32(flags) | O_NONBLOCK)) }
    }

    static func setCloseOnExec(_ fd: Int32) throws {
        _ = try retrying("fcntl(F_SETFD)") { Int(fcntl(fd, F_SETFD, FD_CLOEXEC)) }
    }

    /// A pipe whose two ends are close-on-exec and non-blocking.
    public static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try retrying("pipe2") { Int(ss_pipe2(&fds, O_CLOEXEC | O_NONBLOCK)) }
        return (fds[0], fds[1])
    }

    /// Processes writing to a closed socket get EPIPE instead of dying.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }

    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// CPU time the calling thread has used: work done, without the time it slept.
    public static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
