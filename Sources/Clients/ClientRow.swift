import SelectCore
/// One client process the dashboard spawned, as the `clients` pane shows it.
public struct ClientRow: Sendable, Equatable {
    public enum State: String, Sendable {
        case running
        /// Asked to stop (SIGTERM sent), not yet reaped.
        case stopping
        /// Reaped; `exitDescription` says how it ended.
        case exited
    }

    public var id: Int
    public var pid: Int32
    public var kind: ClientKind
    public var state: State
    /// The last line the client printed (stdout or stderr), e.g. `b'Hello, world'`.
    public var lastLine: String
    /// "exit 0", "signal 15" once reaped.
    public var exitDescription: String?
    /// Seconds between messages it was started with.
    public var interval: Double
    /// The client's local TCP port once known: the server sees it as the connection's peer.
    public var localPort: Int?

    public init(id: Int, pid: Int32, kind: ClientKind, state: State, lastLine: String = "", exitDescription: String? = nil, interval: Double = 3) {
        self.id = id
        self.pid = pid
        self.kind = kind
        self.state = state
        self.lastLine = lastLine
        self.exitDescription = exitDescription
        self.interval = interval
    }
}
