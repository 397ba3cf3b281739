import SelectCore

/// One call as the timeline draws it: what went in (`inputs`, `outputs`), what came back
/// (`readable`, `writable`, `exceptional`), and whether the mode or backend changed in it.
/// Taken from a `StepRecord`, its lists copied (see `refill`).
public struct CallMarks: Sendable, Equatable {
    public var seq = 0
    public var mode = Mode.one
    public var backend = BackendKind.select
    public var listener: Int32 = -1
    public var inputs: [Int32] = []
    public var outputs: [Int32] = []
    public var readable: [Int32] = []
    public var writable: [Int32] = []
    public var exceptional: [Int32] = []
    /// The call came back empty after its timeout.
    public var timedOut = false

    public init(_ record: StepRecord) {
        refill(from: record)
    }

    /// Becomes `CallMarks(record)` in the buffers it has: a full history takes every call at
    /// machine speed, and new arrays for each were most of what it cost. The lists are copies
    /// of their own: sharing a producer's buffers would make the producer copy them (an
    /// allocation a call) the next time it reuses them.
    mutating func refill(from record: StepRecord) {
        seq = record.seq
        mode = record.mode
        backend = record.backend
        listener = record.listener
        Self.refill(&inputs, record.inputs)
        Self.refill(&outputs, record.outputs)
        Self.refill(&readable, record.readable)
        Self.refill(&writable, record.writable)
        Self.refill(&exceptional, record.exceptional)
        timedOut = record.events.contains { $0.kind == .timeout }
    }

    private static func refill(_ list: inout [Int32], _ contents: [Int32]) {
        list.removeAll(keepingCapacity: true)
        list.append(contentsOf: contents)
    }

    /// How one fd fared in this call.
    public func mark(of fd: Int32) -> FDMark {
        FDMark(inInputs: inputs.contains(fd), inOutputs: outputs.contains(fd), readable: readable.contains(fd),
               writable: writable.contains(fd), exceptional: exceptional.contains(fd))
    }

    /// Every fd of the exercise this call was given or returned (internal fds are in neither).
    public var fds: Set<Int32> {
        var all = Set(inputs)
        all.formUnion(outputs)
        all.formUnion(readable)
        all.formUnion(writable)
        all.formUnion(exceptional)
        return all
    }
}

/// A set of fds drawn as rows, and how each fared in a call: one pass over each of the call's
/// lists through an fd-indexed table, so a call carrying thousands of fds costs a few
/// thousand steps, not thousands per row.
struct FDRows {
    let fds: [Int32]
    /// Row plus one of each fd that has one, indexed by fd; 0 for none.
    private let rowOf: [Int32]

    init(_ fds: [Int32]) {
        self.fds = fds
        var rowOf = [Int32](repeating: 0, count: Int(fds.max() ?? -1) + 1)
        for (row, fd) in fds.enumerated() where fd >= 0 { rowOf[Int(fd)] = Int32(row + 1) }
        self.rowOf = rowOf
    }

    func marks(of call: CallMarks) -> [FDMark] {
        var marks = [FDMark](repeating: FDMark(), count: fds.count)
        func each(_ list: [Int32], _ set: (inout FDMark) -> Void) {
            for fd in list where fd >= 0 && Int(fd) < rowOf.count {
                let row = Int(rowOf[Int(fd)])
                if row > 0 { set(&marks[row - 1]) }
            }
        }
        each(call.inputs) { $0.inInputs = true }
        each(call.outputs) { $0.inOutputs = true }
        each(call.readable) { $0.readable = true }
        each(call.writable) { $0.writable = true }
        each(call.exceptional) { $0.exceptional = true }
        return marks
    }

    /// The fds any of `calls` was given or returned, ascending: a bitmap, not a set.
    static func touched(by calls: some Collection<CallMarks>) -> [Int32] {
        let top = Int(calls.reduce(Int32(-1)) { max($0, highestFD(of: $1)) })
        var present = [Bool](repeating: false, count: top + 1)
        for call in calls {
            for list in [call.inputs, call.outputs, call.readable, call.writable, call.exceptional] {
                for fd in list where fd >= 0 { present[Int(fd)] = true }
            }
        }
        return present.indices.filter { present[$0] }.map { Int32($0) }
    }

    static func highestFD(of call: CallMarks) -> Int32 {
        max(call.inputs.max() ?? -1, call.outputs.max() ?? -1, call.readable.max() ?? -1,
            call.writable.max() ?? -1, call.exceptional.max() ?? -1)
    }
}

/// One fd in one call: the timeline's cell.
public struct FDMark: Sendable, Equatable {
    public var inInputs = false
    public var inOutputs = false
    public var readable = false
    public var writable = false
    public var exceptional = false

    public init(inInputs: Bool = false, inOutputs: Bool = false, readable: Bool = false, writable: Bool = false, exceptional: Bool = false) {
        self.inInputs = inInputs
        self.inOutputs = inOutputs
        self.readable = readable
        self.writable = writable
        self.exceptional = exceptional
    }

    /// In no set and returned in none: nothing to draw.
    public var isEmpty: Bool { !(inInputs || inOutputs || readable || writable || exceptional) }
}

/// The last few calls, oldest first, for the timeline: a fixed-size ring, so a busy server
/// never grows it. Whatever feeds records (the live server's observer, the trace reader)
/// appends them; a record whose seq is not past the last one is ignored, so feeding the same
/// call twice (a snapshot taken twice) changes nothing.
public struct CallHistory: Sendable, Equatable {
    public static let defaultCapacity = 256

    public let capacity: Int
    private var ring: [CallMarks] = []
    private var next = 0

    public init(capacity: Int = Self.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// A history holding `records` (the last `capacity` of them).
    public init<Records: Sequence>(_ records: Records, capacity: Int = Self.defaultCapacity) where Records.Element == StepRecord {
        self.init(capacity: capacity)
        for record in records { append(record) }
    }

    public var count: Int { ring.count }
    public var isEmpty: Bool { ring.isEmpty }

    /// The newest call held.
    public var last: CallMarks? {
        ring.isEmpty ? nil : ring[(next + ring.count - 1) % ring.count]
    }

    public mutating func append(_ record: StepRecord) {
        if !ring.isEmpty, record.seq <= ring[(next + ring.count - 1) % ring.count].seq { return }
        if ring.count < capacity {
            ring.append(CallMarks(record))
            next = ring.count % capacity
        } else {
            ring[next].refill(from: record)
            next = (next + 1) % capacity
        }
    }

    /// Oldest first.
    public var calls: [CallMarks] {
        ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
    }
}
