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
