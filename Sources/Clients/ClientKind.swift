import SelectCore

/// The kinds of client `selectscope client` can be (SPEC §3).
public enum ClientKind: String, CaseIterable, Sendable, Codable {
    /// Seed exercise 1: sends every interval, never reads.
    case sender
    /// Seed exercises 2–5: sends, reads the echo, prints it as `b'Hello, world'`.
    case echo
    /// Sends as fast as it can and never reads: backpressure.
    case flood
    /// Connects and sends nothing.
    case idle
    /// Sends once, then closes with an RST.
    case reset
    /// Sends each message with one byte of urgent data (MSG_OOB): the exceptional set fires.
    case oob
}

extension Mode {
    /// The kind of client the seed pairs with this exercise.
    public var seedClientKind: ClientKind { self == .one ? .sender : .echo }
}
