#if canImport(Glibc)
import Glibc
#endif

/// How a connection the server does not read (paused) is still watched, so a peer that
/// goes away is noticed in every mode and backend.
public enum HangupWatch: Sendable, Equatable {
    /// Not watched this way: the connection is in `inputs`, or waiting to send before closing.
    case none
    /// The peer finishing (FIN) or resetting.
    case finishOrReset
    /// Only a reset or an error: the FIN was seen already, in a mode that will still send.
    case resetOnly
}

/// One readiness call over the exercise's lists: `select`, `poll` or `epoll`.
///
/// The server keeps `inputs` and `outputs` as the seed does and tells the backend when an
/// fd's interest changes, so a backend that keeps kernel state (epoll) never rescans the
/// lists; backends that take the lists whole (select, poll) ignore the notifications.
public protocol ReadinessBackend: AnyObject {
    var kind: BackendKind { get }

    /// The fd is now watched for reading (and exceptional conditions) and/or writing, and
    /// (when not read) for its peer going away.
    func setInterest(fd: Int32, read: Bool, write: Bool, hangup: HangupWatch)
    /// The fd is about to be closed.
    func remove(fd: Int32)

    /// Makes exactly one readiness call. Fills `record.readable`, `writable`, `exceptional`
    /// (in the order of the lists passed in, as Python's select does) and `internalReady`.
    /// `inputs` doubles as the exceptional set, as in the seed. `hangupWatch` are the fds
    /// watched only for their peer going (their `setInterest` said how); those whose peer went
    /// are put in `record.hungUp`. poll and epoll also fill `record.returnedEvents`.
    func wait(inputs: [Int32], outputs: [Int32], hangupWatch: [Int32], internalFDs: [Int32], timeout: Double?,
              into record: inout StepRecord) throws

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
