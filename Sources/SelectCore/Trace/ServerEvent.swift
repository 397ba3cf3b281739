/// What the server did about one ready fd (or to the whole loop), in the order it did it.
/// These are the `events` of a trace record (SPEC §4).
public struct ServerEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case accept, recv, send
        case queueEmpty = "queue-empty"
        case close, timeout, refused, paused, resumed, mode, backend
        case exceptional, urgent
    }

    /// Why a connection was closed.
    public enum CloseReason: String, Sendable, Codable {
        /// The peer finished sending (an empty recv).
        case eof
        /// recv or send failed: the errno is in `error`.
        case error
        /// The connection was in the exceptional set and had no urgent data.
        case exceptional
        /// The server was stopped.
        case shutdown
        /// Switched to the select backend while this fd was at or above FD_SETSIZE.
        case fdSetSize = "fd-setsize"
    }

    public var kind: Kind
    /// The connection's fd; -1 where no connection is involved.
    public var fd: Int32
    /// Bytes received or sent; for a short send, the bytes sent of `requested`.
    public var bytes: Int
    /// For `send`: how many bytes the server tried to send (equal to `bytes` unless short).
    public var requested: Int
    public var peer: PeerAddress?
    public var reason: CloseReason?
    /// errno name for a close on error (ECONNRESET, EPIPE), or the limit that refused.
    public var detail: String?
    /// The bytes themselves, when the server was asked to keep them (text log, dashboard).
    public var payload: [UInt8]?
    /// For `mode` and `backend`: the old and new values.
    public var from: String?
    public var to: String?
    /// For `send`: whether it was sent from the recv branch (modes 3, 5) or on writable.
    public var direct: Bool

    public init(
        kind: Kind, fd: Int32 = -1, bytes: Int = 0, requested: Int = 0, peer: PeerAddress? = nil,
        reason: CloseReason? = nil, detail: String? = nil, payload: [UInt8]? = nil,
        from: String? = nil, to: String? = nil, direct: Bool = false
    ) {
        self.kind = kind
        self.fd = fd
        self.bytes = bytes
        self.requested = requested
        self.peer = peer
        self.reason = reason
        self.detail = detail
        self.payload = payload
        self.from = from
        self.to = to
        self.direct = direct
    }

    /// A send that moved fewer bytes than asked: the rest stays at the head of the queue.
    public var isShortSend: Bool { kind == .send && bytes < requested }
}
