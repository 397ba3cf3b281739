import SelectCore

/// The evidence for a behaviour check: one call's checklist as the exercise asks for it next
/// to the program's, a line per list, the lines that differ marked.
public enum Checklist {
    /// `expected` holds the lists the exercise asks for (nil: no opinion, shown as the
    /// program's). `after` says what the previous call did, so the reader sees why.
    public static func sideBySide(
        exercise: Exercise, record: StepRecord, expectedInputs: [Int32]? = nil, expectedOutputs: [Int32]? = nil,
        expectedTimeout: Double?? = nil, after: String?
    ) -> [String] {
        var lines: [String] = []
        var heading = "select() call #\(record.seq)"
        if let after { heading += " (\(after))" }
        lines.append(heading)
        lines.append(pad("", 14) + pad("exercise \(exercise.number) asks", 24) + "your program")
        func row(_ name: String, _ asked: String, _ actual: String) {
            let mark = asked == actual ? "" : "   ✗"
            lines.append(pad("  " + name, 14) + pad(asked, 24) + actual + mark)
        }
        let inputs = list(record.inputs, listener: record.listener)
        row("inputs", expectedInputs.map { list($0, listener: record.listener) } ?? inputs, inputs)
        let outputs = list(record.outputs, listener: record.listener)
        row("outputs", expectedOutputs.map { list($0, listener: record.listener) } ?? outputs, outputs)
        let timeout = describe(timeout: record.timeout)
        row("timeout", expectedTimeout.map { describe(timeout: $0) } ?? timeout, timeout)
        lines.append(pad("  came back", 14) + "readable \(list(record.readable, listener: record.listener))"
            + " · writable \(list(record.writable, listener: record.listener))"
            + " · exceptional \(list(record.exceptional, listener: record.listener))")
        let did = record.events.map(describe).joined(separator: ", ")
        if !did.isEmpty { lines.append(pad("  then", 14) + did) }
        return lines
    }

    static func list(_ fds: [Int32], listener: Int32) -> String {
        if fds.isEmpty { return "[]" }
        return "[" + fds.map { $0 == listener ? "\($0)(listener)" : String($0) }.joined(separator: ", ") + "]"
    }

    static func describe(timeout: Double?) -> String {
        guard let timeout else { return "none (blocks)" }
        return TraceEncoder.decimal(timeout, places: 1) + " s"
    }

    static func describe(_ event: ServerEvent) -> String {
        switch event.kind {
        case .accept: return "accept → fd \(event.fd)"
        case .recv:
            if let detail = event.detail { return "recv fd \(event.fd) failed (\(detail))" }
            return event.bytes == 0 ? "recv fd \(event.fd): empty (peer closed)" : "recv fd \(event.fd): \(event.bytes) B"
        case .send:
            if let detail = event.detail { return "send fd \(event.fd) failed (\(detail))" }
            return event.isShortSend ? "send fd \(event.fd): \(event.bytes) of \(event.requested) B (short)" : "send fd \(event.fd): \(event.bytes) B"
        case .close: return "close fd \(event.fd)"
        default: return event.fd >= 0 ? "\(event.kind.rawValue) fd \(event.fd)" : event.kind.rawValue
        }
    }

    /// What a call did, in a few words, for the heading of the call after it.
    static func summary(of record: StepRecord) -> String {
        let did = record.events.map(describe)
        return "after call #\(record.seq): " + (did.isEmpty ? "nothing done" : did.prefix(4).joined(separator: ", "))
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? text + " " : text + String(repeating: " ", count: width - count)
    }
}
