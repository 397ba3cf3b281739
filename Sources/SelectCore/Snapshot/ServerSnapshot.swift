/// One connection as the `queues` pane shows it.
public struct ConnectionRow: Sendable, Equatable {
    public enum State: String, Sendable {
        /// In `inputs`, being read.
        case reading
        /// Out of `inputs` because its queue reached the cap (backpressure).
        case paused
        /// The peer finished sending; the server sends what is queued, then closes.
        case closing
    }

    public var fd: Int32
    public var peer: PeerAddress
    public var queuedMessages: Int
    public var queuedBytes: Int
    public var bytesIn: Int
    public var bytesOut: Int
    public var state: State
    /// Seq of the last call in which this connection was ready (for "busiest" summaries).
    public var lastActiveSeq: Int
    /// Bytes the kernel holds that the server has not read yet (FIONREAD); nil when not sampled.
    public var kernelUnread: Int?
    /// Bytes sent but not yet acknowledged by the peer (SIOCOUTQ); nil when not sampled.
    public var kernelUnsent: Int?

    public init(fd: Int32, peer: PeerAddress, queuedMessages: Int, queuedBytes: Int, bytesIn: Int, bytesOut: Int, state: State, lastActiveSeq: Int = 0) {
        self.fd = fd
        self.peer = peer
        self.queuedMessages = queuedMessages
        self.queuedBytes = queuedBytes
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.state = state
        self.lastActiveSeq = lastActiveSeq
        self.kernelUnread = nil
        self.kernelUnsent = nil
    }
}

/// The server's running totals.
public struct ServerCounters: Sendable, Equatable {
    public var calls = 0
    public var timeouts = 0
    public var accepted = 0
    public var refused = 0
    public var closed = 0
    public var bytesIn = 0
    public var bytesOut = 0

    public init() {}
}

/// Where the server is relative to its next readiness call.
public enum RunState: String, Sendable, Equatable {
    /// Calling continuously.
    case running
    /// Paused before the next call: `inputs`/`outputs` show what will go in.
    case paused
    /// Paused, but asked for one call and waiting inside it.
    case stepping
    case stopped
}

/// One entry of the `log` pane: an event of a call, in the seed's words.
public struct LogEntry: Sendable, Equatable {
    public var seq: Int
    public var event: ServerEvent

    public init(seq: Int, event: ServerEvent) {
        self.seq = seq
        self.event = event
    }
}

/// What the screen draws: built by `SnapshotReducer` from the producer's per-call records,
/// with the producer's `ProducerStatus` (run state, kernel samples). The screen draws only
/// from this; it never calls into the server.
public struct ServerSnapshot: Sendable, Equatable {
    public var mode: Mode = .one
    public var backend: BackendKind = .select
    public var listenAddress = PeerAddress(host: "127.0.0.1", port: 0)
    public var listener: Int32 = -1
    public var counters = ServerCounters()
    public var runState: RunState = .running
    /// The lists as the server holds them now: what the next call will be given.
    public var inputs: [Int32] = []
    public var outputs: [Int32] = []
    /// One row per open connection, in accept order.
    public var connections: [ConnectionRow] = []
    /// The last completed call, if any.
    public var lastRecord: StepRecord?
    /// The most recent events, oldest first (bounded).
    public var log: [LogEntry] = []
    /// The per-connection queue cap in bytes (backpressure threshold).
    public var queueCap: Int = 0
    /// FD_SETSIZE on this system: the select backend's ceiling.
    public var fdSetSize: Int = 1024
    /// Connections waiting in the listener's accept queue (nil when not sampled).
    public var listenerPending: Int?
    /// The peer the seed's `client_address` held when the last call began (for explaining
    /// the seed's wrong "closing" address).
    public var lastAcceptedBeforeCall: PeerAddress?
    /// The call the server is blocked in right now, if any (never set in replay).
    public var inFlight: InFlightCall?
    /// The records come from a traced program, not the built-in server: what it queues in
    /// its own memory is unknown (its rows' `queuedMessages` and `queuedBytes` say nothing),
    /// and the seed's source is not its code.
    public var tracedProgram = false
    /// A traced program's threads that make readiness calls, and the one whose loop this is
    /// (`LoopThreadFeeds`); empty for the built-in server.
    public var loopThreads: [Int32] = []
    public var shownThread: Int32?
    /// The loop's bugs found from the calls so far, oldest first (bounded): `LoopDiagnostics`.
    public var diagnoses: [LoopDiagnosis] = []

    public init() {}

    /// The peer of a connection fd, if it is open.
    public func peer(of fd: Int32) -> PeerAddress? {
        connections.first { $0.fd == fd }?.peer
    }
}

/// The readiness call the server is inside right now (SPEC §6): published just before it
/// blocks and cleared, under the same lock, when the result is handled. The sets it was
/// given are the snapshot's `inputs` and `outputs`, which cannot change while it blocks.
public struct InFlightCall: Sendable, Equatable {
    public var seq: Int
    public var backend: BackendKind
    /// The timeout passed, in seconds; nil blocks until something is ready.
    public var timeout: Double?
    /// When the call began, on `Posix.monotonicSeconds()`'s clock.
    public var startedAt: Double
    /// The program's own fds in the call (its wake-up pipe), never in `inputs`.
    public var internalFDs: [Int32]
    /// The system call a traced program made (`pselect6`, `epoll_pwait`); nil for the
    /// built-in server, whose call is its backend's.
    public var name: String?

    public init(seq: Int, backend: BackendKind, timeout: Double?, startedAt: Double, internalFDs: [Int32] = [], name: String? = nil) {
        self.seq = seq
        self.backend = backend
        self.timeout = timeout
        self.startedAt = startedAt
        self.internalFDs = internalFDs
        self.name = name
    }
}
