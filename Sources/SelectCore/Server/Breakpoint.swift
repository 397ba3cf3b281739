/// An event the loop can be told to pause on the moment it happens (SPEC §6): the call that
/// produced it is handled, and the next one waits for a step.
public enum Breakpoint: String, CaseIterable, Sendable, Hashable {
    /// A send that moved fewer bytes than asked (a flood fills the socket's buffer).
    case shortSend = "short-send"
    /// Any connection closing, whatever the reason.
    case close
    /// A connection closing because the peer reset it (ECONNRESET).
    case reset
    /// A call that came back with nothing ready after its timeout (mode 5).
    case timeout
    /// A connection in the exceptional set.
    case exceptional
    /// A connection refused (out of descriptors, or past FD_SETSIZE).
    case refused
    /// A queue reaching the cap: backpressure stops reading the connection.
    case queueAtCap = "queue-at-cap"

    public func matches(_ event: ServerEvent) -> Bool {
        switch self {
        case .shortSend: return event.isShortSend
        case .close: return event.kind == .close
        case .reset: return event.kind == .close && event.detail == "ECONNRESET"
        case .timeout: return event.kind == .timeout
        case .exceptional: return event.kind == .exceptional
        case .refused: return event.kind == .refused
        case .queueAtCap: return event.kind == .paused
        }
    }

    /// Whether a traced program's calls can show the event. A foreign program's queues are in
    /// its own memory, so the cap of one is never seen: `queue-at-cap` is the built-in
    /// server's alone.
    public var isTraceable: Bool { self != .queueAtCap }

    /// The breakpoints a traced program can hit, in the chooser's order.
    public static var traceable: [Breakpoint] { allCases.filter(\.isTraceable) }

    /// The first chosen breakpoint a call's record hits, with the event that matched. The
    /// built-in server reports timeouts and exceptional fds as events; a traced program's
    /// events are only the socket calls it made, so for its calls (`origin` set) the result
    /// itself counts too: nothing ready after a timeout, an fd in the exceptional set.
    public static func firstHit(in record: StepRecord, among chosen: Set<Breakpoint>) -> BreakpointHit? {
        guard !chosen.isEmpty else { return nil }
        for event in record.events {
            if let breakpoint = allCases.first(where: { chosen.contains($0) && $0.matches(event) }) {
                return BreakpointHit(breakpoint: breakpoint, seq: record.seq, event: event)
            }
        }
        guard let origin = record.origin, origin.error == nil, !record.interrupted else { return nil }
        if chosen.contains(.timeout), record.timeout != nil, record.isEmptyResult {
            return BreakpointHit(breakpoint: .timeout, seq: record.seq, event: ServerEvent(kind: .timeout))
        }
        if chosen.contains(.exceptional), let fd = record.exceptional.first {
            return BreakpointHit(breakpoint: .exceptional, seq: record.seq, event: ServerEvent(kind: .exceptional, fd: fd))
        }
        return nil
    }

    /// Parses `short-send,close` (the `--break` option); `all` is every breakpoint. A word it does not
    /// know is the failure.
    public static func parseList(_ text: String) -> Result<Set<Breakpoint>, BreakpointListError> {
        var set: Set<Breakpoint> = []
        for word in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !word.isEmpty {
            if word == "all" {
                set.formUnion(allCases)
            } else if let breakpoint = Breakpoint(rawValue: word) {
                set.insert(breakpoint)
            } else {
                return .failure(BreakpointListError(word: word))
            }
        }
        return .success(set)
    }
}

/// A word of a breakpoint list that names no event.
public struct BreakpointListError: Error, CustomStringConvertible {
    public let word: String
    public var description: String {
        "unknown event '\(word)' (use: " + (Breakpoint.allCases.map(\.rawValue) + ["all"]).joined(separator: ", ") + ")"
    }
}

/// Where the loop stopped for a breakpoint: the call and the event that matched.
public struct BreakpointHit: Sendable, Equatable {
    public var breakpoint: Breakpoint
    public var seq: Int
    public var event: ServerEvent

    public init(breakpoint: Breakpoint, seq: Int, event: ServerEvent) {
        self.breakpoint = breakpoint
        self.seq = seq
        self.event = event
    }
}
