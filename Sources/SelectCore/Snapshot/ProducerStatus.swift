/// What a producer of records knows that its records cannot say: whether it is running or
/// paused, its settings as they are now (a switch shows before the next call completes),
/// and the kernel's queues as it last sampled them. The producer publishes this value; the
/// screen merges it into the snapshot the reducer builds from records. Nothing in it is
/// worked out from records, so it can never disagree with them about what happened.
public struct ProducerStatus: Sendable, Equatable {
    public var runState: RunState = .running
    /// The mode and backend the next call uses; nil when the producer has none (a replay, a
    /// foreign program's mode): the last record's are shown.
    public var mode: Mode?
    public var backend: BackendKind?
    public var listenAddress: PeerAddress?
    /// The listening fd, when the producer learns it before a record says (a traced
    /// program's listen()): the first call in flight is then shown blocked on the listener.
    public var listener: Int32?
    /// The per-connection queue cap in bytes (0: unknown).
    public var queueCap = 0
    /// FD_SETSIZE on this system.
    public var fdSetSize = 1024
    /// The kernel's queues, sampled by the producer on its own thread.
    public var kernel = KernelSample()
    /// The lists changed between calls (a mode or backend switch): what the next call is
    /// given, until its record arrives.
    public var listsBeforeNextCall: ListsBeforeCall?
    /// The call the producer is blocked in right now, if any (SPEC §6).
    public var inFlight: InFlightCall?

    public init() {}
}

/// `inputs` and `outputs` as a producer holds them after call `afterSeq`, before the next.
public struct ListsBeforeCall: Sendable, Equatable {
    public var afterSeq: Int
    public var inputs: [Int32]
    public var outputs: [Int32]

    public init(afterSeq: Int, inputs: [Int32], outputs: [Int32]) {
        self.afterSeq = afterSeq
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// The kernel's side of the queues at one moment: connections waiting to be accepted, and for
/// each connection the bytes not read yet (FIONREAD) and not acknowledged yet (SIOCOUTQ).
public struct KernelSample: Sendable, Equatable {
    public struct Queues: Sendable, Equatable {
        public var unread: Int?
        public var unsent: Int?

        public init(unread: Int?, unsent: Int?) {
            self.unread = unread
            self.unsent = unsent
        }
    }

    /// Monotonic seconds when the sample was taken; 0 when never.
    public var time = 0.0
    public var listenerPending: Int?
    /// By fd; empty when there were too many connections to sample.
    public var connections: [Int32: Queues] = [:]

    public init() {}
}
