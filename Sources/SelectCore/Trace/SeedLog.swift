/// The seed's own words for what the server did: `connection from ('127.0.0.1', 5000)`,
/// `received b'Hello, world' from (…)`, `closing (…)`. The text log and the dashboard's
/// `log` pane both print these lines.
public enum SeedLog {
    /// The line for one event, or nil for events the seed has no words for and that need none.
    public static func line(for event: ServerEvent) -> String {
        let peer = event.peer?.pythonTuple ?? "fd \(event.fd)"
        switch event.kind {
        case .accept:
            return "connection from \(peer)"
        case .recv:
            return "received \(payloadText(event)) from \(peer)"
        case .send:
            var line = "sending \(payloadText(event)) to \(peer)"
            if event.isShortSend {
                line += " (short send: \(event.bytes) of \(event.requested) bytes went; the rest stays queued)"
            }
            return line
        case .queueEmpty:
            return "output queue for \(peer) is empty"
        case .close:
            // The seed's own close (an empty recv) keeps the seed's words; every other close
            // says what was lost with it.
            let dropped = event.bytes > 0 ? "\(event.bytes) bytes queued, dropped" : nil
            func with(_ why: String) -> String {
                "closing \(peer) (" + ([why] + (dropped.map { [$0] } ?? [])).joined(separator: "; ") + ")"
            }
            switch event.reason {
            case .error?:
                return with("socket error: \(event.detail ?? "?")")
            case .exceptional?:
                return with("exceptional condition, as the seed does")
            case .fdSetSize?:
                return with("fd \(event.fd) >= FD_SETSIZE: select cannot watch it")
            case .shutdown?:
                return with("server stopping")
            case .hangup?:
                return with("the peer went while paused")
            case .modeSwitch?:
                return with("mode \(event.detail ?? "1") never sends")
            case .eof?, nil:
                return "closing \(peer)"
            }
        case .timeout:
            return "timeout"
        case .refused:
            if let limit = event.detail, Int(limit) != nil {
                return "refused \(peer): fd \(event.fd) >= FD_SETSIZE (\(limit)), select cannot watch it"
            }
            return "refused \(peer): out of file descriptors (\(event.detail ?? "?"))"
        case .paused:
            if event.detail == ServerEvent.budgetDetail {
                return "paused reading \(peer): all queues together reached the budget (this one: \(event.bytes) bytes)"
            }
            return "paused reading \(peer): queue reached \(event.bytes) bytes (cap \(event.detail ?? "?"))"
        case .resumed:
            return "resumed reading \(peer): queue down to \(event.bytes) bytes"
        case .draining:
            return "no more data from \(peer): sending its \(event.bytes) queued bytes before closing"
        case .peerFinished:
            return "no more data from \(peer) (it finished sending while paused): \(event.bytes) bytes still to send, then closing"
        case .overBudget:
            return "queue budget reached: \(event.bytes) bytes queued in all (budget \(event.detail ?? "?")): no connection is read until it drains"
        case .underBudget:
            return "queue budget: down to \(event.bytes) bytes queued in all: reading again"
        case .listenerPaused:
            return "not accepting: out of file descriptors (\(event.detail ?? "?")); the listener leaves inputs until a connection closes or a moment passes"
        case .listenerResumed:
            return "accepting again: the listener is back in inputs"
        case .mode:
            return "mode \(event.from ?? "?") -> \(event.to ?? "?")"
        case .backend:
            return "backend \(event.from ?? "?") -> \(event.to ?? "?")"
        case .exceptional:
            return "handling exceptional condition for \(peer)"
        case .urgent:
            return "urgent data \(payloadText(event)) from \(peer)"
        }
    }

    static func payloadText(_ event: ServerEvent) -> String {
        if let payload = event.payload {
            let text = PythonRepr.bytes(payload)
            return payload.count < event.bytes ? text + "…(\(event.bytes) bytes)" : text
        }
        return "\(event.bytes) bytes"
    }
}
