/// One queue's depth after a call was handled.
public struct QueueDepth: Sendable, Equatable {
    public var fd: Int32
    public var messages: Int
    public var bytes: Int

    public init(fd: Int32, messages: Int, bytes: Int) {
        self.fd = fd
        self.messages = messages
        self.bytes = bytes
    }
}

/// Everything about one readiness call: the sets passed in, the sets that came back, how
/// long it blocked, and what the server did about it. The text log, the JSON trace, the
/// dashboard and the tests all read this one value (SPEC §4).
public struct StepRecord: Sendable, Equatable {
    public var seq: Int = 0
    /// Seconds since the server started.
    public var time: Double = 0
    public var mode: Mode = .one
    public var backend: BackendKind = .select
    public var listener: Int32 = -1
    /// The timeout passed to the call, in seconds; nil blocks.
    public var timeout: Double?
    public var inputs: [Int32] = []
    public var outputs: [Int32] = []
    /// Descriptors the program added for its own use (its wake-up pipe); never in `inputs`.
    public var internalFDs: [Int32] = []
    public var readable: [Int32] = []
    public var writable: [Int32] = []
    public var exceptional: [Int32] = []
    /// Which internal descriptors were ready (a key, a signal, a command).
    public var internalReady: [Int32] = []
    public var blockedMilliseconds: Double = 0
    /// The backend's own cost for the call, excluding the time it slept, in microseconds.
    public var costMicroseconds: Double = 0
    public var events: [ServerEvent] = []
    public var queues: [QueueDepth] = []
    /// Set only for a traced program's call (`selectscope trace`): which process and call.
    public var origin: CallOrigin?

    public init() {}

    /// Nothing came back for the exercise's sockets: a timeout (or only an internal wake-up).
    public var isEmptyResult: Bool { readable.isEmpty && writable.isEmpty && exceptional.isEmpty }

    /// Clears the record's results for the next call, keeping its buffers. The lists passed in
    /// are refilled by the server. Most lists are empty after most calls, and an empty one is
    /// left alone.
    mutating func reset() {
        timeout = nil
        Self.clear(&readable)
        Self.clear(&writable)
        Self.clear(&exceptional)
        Self.clear(&internalReady)
        Self.clear(&events)
        Self.clear(&queues)
        blockedMilliseconds = 0
        costMicroseconds = 0
    }

    private static func clear<Element>(_ list: inout [Element]) {
        if !list.isEmpty { list.removeAll(keepingCapacity: true) }
    }
}
