/// The readiness call the server makes: `select` is the lesson; `poll` and `epoll` show why
/// they exist.
public enum BackendKind: String, CaseIterable, Sendable, Codable {
    case select, poll, epoll

    /// Whether the backend can only watch fds below FD_SETSIZE.
    public var hasFDSetCeiling: Bool { self == .select }

    public var next: BackendKind {
        let all = BackendKind.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
