import SelectCore
/// Why an fd was ready, what would misbehave, and where the seed's own code would have
/// failed — one value per sentence; the screen words it in the chosen language.
public enum Explanation: Equatable, Sendable {
    // Why each fd came back ready.
    case pendingConnection(listener: Int32)
    case bytesWaiting(fd: Int32, bytes: Int)
    case endOfStream(fd: Int32)
    case connectionError(fd: Int32, errno: String)
    case roomToSend(fd: Int32, sent: Int)
    case urgentData(fd: Int32)
    case timedOut(seconds: Double)
    case wokenInternally

    // What would misbehave.
    /// In `outputs` with nothing to send: select returns at once, every call, until removed.
    case writableWithEmptyQueue(fd: Int32)
    case queueAtCap(fd: Int32, bytes: Int, cap: Int)
    case nearFDSetSize(highest: Int32, limit: Int)
    case refusedAboveFDSetSize(fd: Int32, limit: Int)

    // Where the seed would have failed.
    /// Closed in the readable loop, still in this call's writable/exceptional list:
    /// `message_queues[s]` raises KeyError.
    case seedKeyError(fd: Int32)
    /// The seed ignores send's count: the unsent rest would be lost (or BlockingIOError).
    case seedShortSend(fd: Int32, sent: Int, requested: Int)
    /// Modes 3 and 5 of the seed forget SO_REUSEADDR: a restart fails "address already in use".
    case seedNoReuseAddress(mode: Mode)
    /// The seed prints the last accepted address, not the one closing.
    case seedWrongClosingAddress(fd: Int32, actual: PeerAddress, printed: PeerAddress)
    /// Modes 1 and 2 of the seed have no try around recv: a reset kills the server.
    case seedUncaughtReset(fd: Int32)

    public enum Severity: Sendable { case reason, warning, seedFailure }

    public var severity: Severity {
        switch self {
        case .pendingConnection, .bytesWaiting, .endOfStream, .connectionError, .roomToSend, .urgentData, .timedOut, .wokenInternally:
            return .reason
        case .writableWithEmptyQueue, .queueAtCap, .nearFDSetSize, .refusedAboveFDSetSize:
            return .warning
        case .seedKeyError, .seedShortSend, .seedNoReuseAddress, .seedWrongClosingAddress, .seedUncaughtReset:
            return .seedFailure
        }
    }
}

public enum Explainer {
    /// Explains one call. `lastAcceptedBefore` is the peer the seed's `client_address`
    /// held when the call began.
    public static func explain(_ record: StepRecord, lastAcceptedBefore: PeerAddress?, queueCap: Int, fdSetSize: Int) -> [Explanation] {
        var out: [Explanation] = []
        if record.isEmptyResult {
            out.append(record.internalReady.isEmpty ? .timedOut(seconds: record.timeout ?? 0) : .wokenInternally)
        }
        var lastAccepted = lastAcceptedBefore
        var closedInReadable: Set<Int32> = []
        var saidEndOfStream: Set<Int32> = []
        var sawMode = false
        for event in record.events {
            switch event.kind {
            case .accept:
                out.append(.pendingConnection(listener: record.listener))
                lastAccepted = event.peer
            case .recv where event.isEndOfStream:
                // A traced program's empty recv; its close (if any) follows and says no more.
                out.append(.endOfStream(fd: event.fd))
                saidEndOfStream.insert(event.fd)
            case .recv:
                out.append(.bytesWaiting(fd: event.fd, bytes: event.bytes))
            case .send:
                if !event.direct { out.append(.roomToSend(fd: event.fd, sent: event.bytes)) }
                if event.isShortSend { out.append(.seedShortSend(fd: event.fd, sent: event.bytes, requested: event.requested)) }
            case .queueEmpty:
                out.append(.writableWithEmptyQueue(fd: event.fd))
            case .urgent:
                out.append(.urgentData(fd: event.fd))
            case .close:
                let inReadable = record.readable.contains(event.fd)
                if event.reason == .eof && inReadable {
                    if !saidEndOfStream.contains(event.fd) { out.append(.endOfStream(fd: event.fd)) }
                } else if event.reason == .error {
                    out.append(.connectionError(fd: event.fd, errno: event.detail ?? "?"))
                    if inReadable && (record.mode == .one || record.mode == .two) { out.append(.seedUncaughtReset(fd: event.fd)) }
                }
                if inReadable {
                    closedInReadable.insert(event.fd)
                    if let peer = event.peer, let printed = lastAccepted, printed != peer {
                        out.append(.seedWrongClosingAddress(fd: event.fd, actual: peer, printed: printed))
                    }
                }
            case .paused where event.detail != ServerEvent.budgetDetail:
                out.append(.queueAtCap(fd: event.fd, bytes: event.bytes, cap: queueCap))
            case .refused:
                if event.fd >= 0, event.detail.flatMap(Int.init) != nil {
                    out.append(.refusedAboveFDSetSize(fd: event.fd, limit: fdSetSize))
                }
            case .mode:
                sawMode = true
            default:
                break
            }
        }
        for fd in closedInReadable where (record.writable.contains(fd) || record.exceptional.contains(fd)) && record.mode != .one {
            out.append(.seedKeyError(fd: fd))
        }
        if (record.seq == 1 || sawMode) && (record.mode == .three || record.mode == .five) {
            out.append(.seedNoReuseAddress(mode: record.mode))
        }
        if record.backend == .select, let highest = record.inputs.max(), Int(highest) >= fdSetSize * 9 / 10 {
            out.append(.nearFDSetSize(highest: highest, limit: fdSetSize))
        }
        return out
    }
}
