import SelectCore
/// How `selectscope client` runs.
public struct ClientConfig: Sendable {
    public var kind: ClientKind = .echo
    public var host = "localhost"
    public var port = 1234
    /// Seconds between messages (the seed sleeps 3).
    public var interval = 3.0
    public var message = "Hello, world"
    /// Send this many messages, then close (nil: forever).
    public var count: Int?
    /// When spawned by a dashboard: the dashboard's pid, so the client dies with it.
    public var parentPID: Int32?

    public init(kind: ClientKind = .echo, host: String = "localhost", port: Int = 1234) {
        self.kind = kind
        self.host = host
        self.port = port
    }
}
