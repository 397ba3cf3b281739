/// One connection's `message_queues[s]`: the messages received and not yet sent, in order.
///
/// Messages keep their boundaries (the seed sends one message per writable call) and a
/// partial send leaves the unsent rest at the head. Bytes live in one contiguous buffer
/// that is compacted rather than reallocated, so a steady stream allocates nothing.
struct MessageQueue {
    private var storage: [UInt8] = []
    private var start = 0
    /// Length of each queued message; the head's length counts only its unsent rest.
    private var lengths: [Int] = []
    private var lengthsStart = 0

    private(set) var byteCount = 0

    var messageCount: Int { lengths.count - lengthsStart }
    var isEmpty: Bool { byteCount == 0 }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
        lengths.append(bytes.count)
        byteCount += bytes.count
    }

    /// The unsent part of the head message.
    func withHead<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let length = messageCount > 0 ? lengths[lengthsStart] : 0
        return try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)]))
        }
    }

    var headLength: Int { messageCount > 0 ? lengths[lengthsStart] : 0 }

    /// Drops `count` sent bytes from the head message; the message leaves the queue once
    /// all of it has gone.
    mutating func consumeHead(_ count: Int) {
        guard messageCount > 0, count > 0 else { return }
        let length = lengths[lengthsStart]
        let taken = min(count, length)
        start += taken
        byteCount -= taken
        if taken == length {
            lengthsStart += 1
        } else {
            lengths[lengthsStart] = length - taken
        }
        if byteCount == 0 { removeAll() }
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        start = 0
        lengthsStart = 0
        byteCount = 0
    }

    /// Moves the live bytes to the front once the dead prefix outweighs them, so appends
    /// reuse capacity instead of growing the buffer forever.
    private mutating func compactIfWorthIt() {
        if start > 0 && start >= byteCount {
            storage.removeSubrange(0..<start)
            start = 0
        }
        if lengthsStart > 0 && lengthsStart >= messageCount {
            lengths.removeSubrange(0..<lengthsStart)
            lengthsStart = 0
        }
    }
}
