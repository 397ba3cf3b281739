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
            switch event.reason {
            case .error?:
                return "closing \(peer) (socket error: \(event.detail ?? "?"))"
            case .exceptional?:
                return "closing \(peer) (exceptional condition, as the seed does)"
            case .fdSetSize?:
                return "closing \(peer) (fd \(event.fd) >= FD_SETSIZE: select cannot watch it)"
            case .shutdown?:
                return "closing \(peer) (server stopping)"
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
            return "paused reading \(peer): queue reached \(event.bytes) bytes (cap \(event.detail ?? "?"))"
        case .resumed:
            return "resumed reading \(peer): queue down to \(event.bytes) bytes"
        case .mode:
            return "mode \(event.from ?? "?") -> \(event.to ?? "?")"
        case .backend:
            return "backend \(event.from ?? "?") -> \(event.to ?? "?")"
        case .exceptional:
            return "handling exceptional condition for \(peer)"
        case .urgent:
            return "urgent data \(payloadText(event)) from \(peer)"
        case .draining:
            return "no more data from \(peer): sending its \(event.bytes) queued bytes before closing"
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
