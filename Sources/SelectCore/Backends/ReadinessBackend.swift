#if canImport(Glibc)
import Glibc
#endif

/// One readiness call over the exercise's lists: `select`, `poll` or `epoll`.
///
/// The server keeps `inputs` and `outputs` as the seed does and tells the backend when an
/// fd's interest changes, so a backend that keeps kernel state (epoll) never rescans the
/// lists; backends that take the lists whole (select, poll) ignore the notifications.
public protocol ReadinessBackend: AnyObject {
    var kind: BackendKind { get }

    /// The fd is now watched for reading (and exceptional conditions) and/or writing.
    func setInterest(fd: Int32, read: Bool, write: Bool)
    /// The fd is about to be closed.
    func remove(fd: Int32)

    /// Makes exactly one readiness call. Fills `record.readable`, `writable`, `exceptional`
    /// (in the order of the lists passed in, as Python's select does) and `internalReady`.
    /// `inputs` doubles as the exceptional set, as in the seed.
    func wait(inputs: [Int32], outputs: [Int32], internalFDs: [Int32], timeout: Double?, into record: inout StepRecord) throws

    /// Releases kernel state (the epoll fd).
    func close()
}

extension ReadinessBackend {
    /// Makes the blocking system call, records how long it blocked, and turns its errors into
    /// the record: a signal (EINTR) counts as an internal wake-up, like the pipe it writes to.
    /// Returns the call's count, or nil when it was interrupted.
    func timedCall(_ name: String, internalFDs: [Int32], into record: inout StepRecord, _ call: () -> Int32) throws -> Int32? {
        let started = Posix.monotonicSeconds()
        let count = call()
        record.blockedMilliseconds = (Posix.monotonicSeconds() - started) * 1000
        guard count < 0 else { return count }
        let code = errno
        guard code == EINTR else { throw SystemError(name, errno: code) }
        record.internalReady.append(contentsOf: internalFDs)
        return nil
    }
}

public enum Backends {
    /// FD_SETSIZE on this system: select's ceiling.
    public static var fdSetSize: Int { Int(FDSet.capacity) }

    public static func make(_ kind: BackendKind) throws -> ReadinessBackend {
        switch kind {
        case .select: return SelectBackend()
        case .poll: return PollBackend()
        case .epoll: return try EpollBackend()
        }
    }
}
