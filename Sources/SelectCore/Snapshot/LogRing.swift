/// The most recent events, for the screen's `log`: a fixed-size ring, so a busy server never
/// grows it. The events carry the payload bytes the producer captured (a preview).
struct LogRing: Sendable {
    let capacity: Int
    private var entries: [LogEntry] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    mutating func append(_ entry: LogEntry) {
        guard capacity > 0 else { return }
        if entries.count < capacity {
            if entries.isEmpty { entries.reserveCapacity(capacity) }
            entries.append(entry)
        } else {
            entries[next] = entry
        }
        next = (next + 1) % capacity
    }

    /// Oldest first.
    func ordered() -> [LogEntry] {
        entries.count < capacity ? entries : Array(entries[next...] + entries[..<next])
    }
}
