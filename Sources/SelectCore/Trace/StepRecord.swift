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

/// The bits poll's `revents` and epoll's event mask share (Linux gives them the same
/// values), turned into a type at the edge so the rest of the code never sees the flags.
public struct ReadyEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let input = ReadyEvents(rawValue: 0x001)
    public static let priority = ReadyEvents(rawValue: 0x002)
    public static let output = ReadyEvents(rawValue: 0x004)
    public static let error = ReadyEvents(rawValue: 0x008)
    public static let hangup = ReadyEvents(rawValue: 0x010)
    public static let invalid = ReadyEvents(rawValue: 0x020)
    /// The peer shut down its sending side (POLLRDHUP / EPOLLRDHUP).
    public static let readHangup = ReadyEvents(rawValue: 0x2000)

    /// The C names without their prefix, in bit order: what the trace writes.
    public static let names: [(ReadyEvents, String)] = [
        (.input, "IN"), (.priority, "PRI"), (.output, "OUT"), (.error, "ERR"), (.hangup, "HUP"), (.invalid, "NVAL"),
        (.readHangup, "RDHUP"),
    ]

    /// "IN|HUP"; bits without a name are written as hex.
    public var text: String {
        var parts: [String] = []
        var rest = rawValue
        for (bit, name) in Self.names where contains(bit) {
            parts.append(name)
            rest &= ~bit.rawValue
        }
        if rest != 0 { parts.append("0x" + String(rest, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }

    /// The inverse of `text`; nil for a name it does not know.
    public init?(text: String) {
        var value: UInt32 = 0
        for part in text.split(separator: "|") {
            if part == "0" { continue }
            if let (bit, _) = Self.names.first(where: { $0.1 == part }) {
                value |= bit.rawValue
            } else if part.hasPrefix("0x"), let bits = UInt32(part.dropFirst(2), radix: 16) {
                value |= bits
            } else {
                return nil
            }
        }
        self.init(rawValue: value)
    }
}

/// What poll or epoll returned for one fd: its `revents` (poll) or event mask (epoll).
public struct ReturnedEvents: Sendable, Equatable {
    public var fd: Int32
    public var events: ReadyEvents

    public init(fd: Int32, events: ReadyEvents) {
        self.fd = fd
        self.events = events
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
    /// Connections the server does not read (paused) but still watches for the peer going
    /// away: a FIN or a reset. Not in `inputs`; how each backend watches them is its own.
    public var hangupWatch: [Int32] = []
    /// Which of `hangupWatch` came back: the peer finished sending or reset.
    public var hungUp: [Int32] = []
    /// poll and epoll only: each fd the call returned, with its revents / event mask, in the
    /// order the kernel gave them (HUP and ERR show here; the result lists fold them in).
    public var returnedEvents: [ReturnedEvents] = []
    public var blockedMilliseconds: Double = 0
    /// The backend's own cost for the call, excluding the time it slept, in microseconds.
    public var costMicroseconds: Double = 0
    public var events: [ServerEvent] = []
    public var queues: [QueueDepth] = []
    /// The program cut the call short for its own reasons (a key, a command, a signal): only
    /// its internal fds woke it. Its empty result is not the exercise's: the next step makes
    /// the call again (SPEC §6).
    public var interrupted = false
    /// Set only for a traced program's call (`selectscope trace`): which process and call.
    public var origin: CallOrigin?

    public init() {}

    /// Nothing came back for the exercise's sockets: a timeout (or only an internal wake-up).
    public var isEmptyResult: Bool { readable.isEmpty && writable.isEmpty && exceptional.isEmpty && hungUp.isEmpty }

    /// The call waited on the listening socket: it is a server's accept loop (a traced
    /// program's other threads may poll pipes or timers of their own).
    public var waitsOnListener: Bool { listener >= 0 && inputs.contains(listener) }

    /// Makes this record what `StepRecord()` makes, keeping the storage of the lists a
    /// producer fills call after call, emptied: a producer that reuses one record (the
    /// server, a traced thread) allocates nothing per call. `internalFDs` is let go instead:
    /// it is assigned whole (an array the producer keeps), and emptying storage shared with
    /// it would copy it. When whoever took the record kept it, the storage is shared too, and
    /// the first append copies it, as a new record's would allocate.
    public mutating func renew() {
        var fresh = StepRecord()
        Self.keep(&inputs, in: &fresh.inputs)
        Self.keep(&outputs, in: &fresh.outputs)
        Self.keep(&readable, in: &fresh.readable)
        Self.keep(&writable, in: &fresh.writable)
        Self.keep(&exceptional, in: &fresh.exceptional)
        Self.keep(&internalReady, in: &fresh.internalReady)
        Self.keep(&hangupWatch, in: &fresh.hangupWatch)
        Self.keep(&hungUp, in: &fresh.hungUp)
        Self.keep(&returnedEvents, in: &fresh.returnedEvents)
        Self.keep(&events, in: &fresh.events)
        Self.keep(&queues, in: &fresh.queues)
        swap(&self, &fresh)
    }

    private static func keep<Element>(_ list: inout [Element], in empty: inout [Element]) {
        swap(&list, &empty)
        if !empty.isEmpty { empty.removeAll(keepingCapacity: true) }
    }
}
