/// The most recent events, for the screen's `log`: a fixed-size ring, so a busy server
/// never grows it. Each entry keeps the first bytes of its data inline, so logging a message
/// allocates nothing; the bytes become an array only when a snapshot copies the ring.
struct EventRing {
    /// Up to 64 bytes of a message, stored inline.
    struct Preview {
        static let capacity = 64
        var count = 0
        var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

        init() {}

        init(_ data: UnsafeRawBufferPointer) {
            count = min(data.count, Preview.capacity)
            withUnsafeMutableBytes(of: &bytes) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: data.prefix(count)))
            }
        }

        var array: [UInt8] {
            withUnsafeBytes(of: bytes) { Array($0.prefix(count)) }
        }
    }

    let capacity: Int
    private var entries: [LogEntry] = []
    private var previews: [Preview?] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = capacity
        entries.reserveCapacity(capacity)
        previews.reserveCapacity(capacity)
    }

    mutating func append(_ entry: LogEntry, preview data: UnsafeRawBufferPointer? = nil) {
        guard capacity > 0 else { return }
        // An event that already carries its payload needs no preview.
        let preview = entry.event.payload == nil ? data.map(Preview.init) : nil
        if entries.count < capacity {
            entries.append(entry)
            previews.append(preview)
        } else {
            entries[next] = entry
            previews[next] = preview
        }
        next = (next + 1) % capacity
    }

    /// Oldest first, previews turned into payloads.
    func ordered() -> [LogEntry] {
        let order = entries.count < capacity ? Array(entries.indices) : Array((next..<capacity)) + Array(0..<next)
        return order.map { index in
            var entry = entries[index]
            if let preview = previews[index] { entry.event.payload = preview.array }
            return entry
        }
    }
}
