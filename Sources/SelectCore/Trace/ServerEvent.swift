/// What the server did about one ready fd (or to the whole loop), in the order it did it.
/// These are the `events` of a trace record (SPEC §4).
public struct ServerEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case accept, recv, send
        case queueEmpty = "queue-empty"
        case close, timeout, refused, paused, resumed, mode, backend
        case exceptional, urgent
        /// The peer finished sending (an empty recv) while bytes were still queued for it: it
        /// leaves `inputs`, the queue is sent, then it closes. `bytes`: what is queued.
        case draining
        /// A paused connection's peer finished sending (FIN) in a mode that sends: it stays
        /// paused; once its queue drains the rest is read and it closes. `bytes`: queued.
        case peerFinished = "peer-finished"
        /// All queues together reached the budget: every connection stops being read.
        /// `bytes`: the total queued; `detail`: the budget.
        case overBudget = "over-budget"
        /// The total drained to half the budget: connections are read again. `bytes`: total.
        case underBudget = "under-budget"
        /// Out of descriptors and no spare left to refuse with: the listener leaves `inputs`
        /// for a while (or until a connection closes). `detail`: the errno name.
        case listenerPaused = "listener-paused"
        /// The listener is back in `inputs`.
        case listenerResumed = "listener-resumed"
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
        /// The peer went (FIN or reset) while the server was not reading it (paused), seen by
        /// the hangup watch rather than by recv.
        case hangup
        /// Switched to a mode that never sends while the connection waited to send its queue.
        case modeSwitch = "mode-switch"
    }

    public var kind: Kind
    /// The connection's fd; -1 where no connection is involved.
    public var fd: Int32
    /// Bytes received or sent; for a short send, the bytes sent of `requested`. For `close`:
    /// the queued bytes dropped with the connection; for `paused`, `resumed`, `draining`,
    /// `peer-finished`: the connection's queue; for the budget events: all queues together.
    public var bytes: Int
    /// For `send`: how many bytes the server tried to send (equal to `bytes` unless short).
    public var requested: Int
    public var peer: PeerAddress?
    public var reason: CloseReason?
    /// For `send`: whether it was sent from the recv branch (modes 3, 5) or on writable.
    public var direct: Bool
    /// The fields most events leave empty, kept out of line: an echo's two events are then
    /// copied with one reference to retain instead of five.
    private var rare: Rare?
    /// A payload short enough to be kept inline (the dashboard's and the trace's capture).
    private var preview: PayloadPreview?

    /// errno name for a close on error (ECONNRESET, EPIPE), or the limit that refused.
    public var detail: String? {
        get { rare?.detail }
        set { rare = Rare.make(detail: newValue, payload: rare?.payload, from: from, to: to) }
    }
    /// The bytes themselves, when the server was asked to keep them (text log, dashboard).
    public var payload: [UInt8]? {
        get { preview?.bytes ?? rare?.payload }
        set {
            preview = newValue.flatMap { PayloadPreview($0) }
            rare = Rare.make(detail: detail, payload: preview == nil ? newValue : nil, from: from, to: to)
        }
    }
    /// For `mode` and `backend`: the old and new values.
    public var from: String? {
        get { rare?.from }
        set { rare = Rare.make(detail: detail, payload: rare?.payload, from: newValue, to: to) }
    }
    public var to: String? {
        get { rare?.to }
        set { rare = Rare.make(detail: detail, payload: rare?.payload, from: from, to: newValue) }
    }

    /// Keeps the first `limit` bytes of `bytes` as the payload (none when `limit` is 0):
    /// without an allocation when they fit inline.
    public mutating func capturePayload(_ bytes: UnsafeRawBufferPointer, limit: Int) {
        guard limit > 0 else { return }
        let kept = UnsafeRawBufferPointer(rebasing: bytes.prefix(limit))
        if let inline = PayloadPreview(kept) {
            preview = inline
            if rare?.payload != nil { rare = Rare.make(detail: detail, payload: nil, from: from, to: to) }
        } else {
            payload = Array(kept)
        }
    }

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
        self.direct = direct
        self.preview = payload.flatMap { PayloadPreview($0) }
        self.rare = Rare.make(detail: detail, payload: preview == nil ? payload : nil, from: from, to: to)
    }

    public static func == (a: ServerEvent, b: ServerEvent) -> Bool {
        a.kind == b.kind && a.fd == b.fd && a.bytes == b.bytes && a.requested == b.requested && a.peer == b.peer
            && a.reason == b.reason && a.direct == b.direct && a.detail == b.detail && a.preview == b.preview && a.rare?.payload == b.rare?.payload
            && a.from == b.from && a.to == b.to
    }

    /// The `detail` of a `paused` event caused by the queue budget rather than the cap.
    public static let budgetDetail = "budget"

    /// A send that moved fewer bytes than asked: the rest stays at the head of the queue.
    public var isShortSend: Bool { kind == .send && bytes < requested }
}

extension ServerEvent {
    /// Immutable, so events that share one stay independent values; a setter makes a new one.
    private final class Rare: Sendable {
        let detail: String?
        let payload: [UInt8]?
        let from: String?
        let to: String?

        private init(detail: String?, payload: [UInt8]?, from: String?, to: String?) {
            self.detail = detail
            self.payload = payload
            self.from = from
            self.to = to
        }

        static func make(detail: String?, payload: [UInt8]?, from: String?, to: String?) -> Rare? {
            if detail == nil && payload == nil && from == nil && to == nil { return nil }
            return Rare(detail: detail, payload: payload, from: from, to: to)
        }
    }
}
