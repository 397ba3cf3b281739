/// Finds the homework's usual loop bugs from the per-call records alone, one call at a time,
/// so the same findings come live, from a traced program, and from a replayed trace. Kept
/// by `SnapshotReducer` (the one reducer) and by the headless trace log; a value, so a
/// replay's checkpoints copy it with the rest.
///
/// The definitions (each is silent on a correct loop, the built-in server's included):
/// - **writable spin**: a connection came back writable (and not readable) in `spinCalls`
///   consecutive calls and the program sent nothing on it in any of them. A correct loop
///   takes an fd out of `outputs` the first time it finds its queue empty: at most one such
///   call in a row. A call that returned it readable too had data to return for: it neither
///   counts nor ends the streak.
///   Calls per second are measured over the last second of the spin.
/// - **unsent rest**: a send took fewer bytes than asked (a short send), and the rest never
///   went: a later send on the fd asked for fewer bytes than were left, or began with other
///   bytes than the rest where the payloads show both (a traced program's short send keeps
///   the start of what it asked to send): new data went instead of the rest; or the program
///   closed the fd itself (not on an error) with the rest unsent; or `unwatchedCalls` calls
///   of the same thread went by with the fd neither in `outputs` nor sent on. A correct loop
///   keeps the rest and watches the fd for writing (or retries at once). A mode switch of
///   the built-in server forgets what is owed: its new mode decides.
/// - **read after end of stream**: recv returned b'' on a connection (the peer finished
///   sending), and then the program called recv on it again, or left it in `inputs` so that
///   a later call returned it readable (at once, every call: a spin). A correct loop closes
///   it, or at least stops reading it. Only a traced program's records carry the empty recv.
/// - **no SO_REUSEADDR**: a traced program's listener was set up without SO_REUSEADDR (the
///   tracer saw its setsockopt calls before listen).
///
/// Only connections the records show socket events for are judged (an accept, a recv or a
/// send): records traced with `--events readiness` carry no events, and a writable fd with
/// no send event there means nothing. So a connection accepted before an attach is judged
/// only once it recv's or sends. What the tracer does not see cannot be counted: a program
/// that sends with writev or sendfile (not traced) would look as if it sent nothing.
public struct LoopDiagnostics: Sendable {
    /// Consecutive writable calls with nothing sent that make a spin.
    public static let spinCalls = 4
    /// Calls after a short send with the fd neither watched for writing nor sent on.
    public static let unwatchedCalls = 2
    /// Findings kept; the oldest finished ones go first.
    public static let capacity = 64

    /// Calls per second over about the last second of calls.
    struct RateWindow: Sendable {
        var start = 0.0
        var calls = 0
        var rate: Double?

        mutating func tick(_ time: Double) {
            if calls == 0 { start = time }
            calls += 1
            let elapsed = time - start
            guard calls > 1, elapsed > 0 else { return }
            rate = Double(calls - 1) / elapsed
            // A new window from here: the rate follows the loop's pace, not its average.
            if elapsed >= 1 {
                start = time
                calls = 1
            }
        }
    }

    /// What is being watched on one connection.
    struct Watch: Sendable {
        var streak = 0
        var streakStart = 0
        var lastWritable = -1
        var spinRate = RateWindow()
        var lastSend = -1
        var owed = 0
        var owedRequested = 0
        var owedSince = 0
        var owedTid: Int32?
        /// The first bytes of the rest, where the short send's payload shows them.
        var restStart: ArraySlice<UInt8> = []
        var unwatched = 0
        var endOfStream: Int?
        var afterEndCalls = 0
        var lastAfterEnd = -1
        var afterEndRate = RateWindow()

        /// Whether `send` (on this fd, with a rest owed) sends the rest: it asks for at least
        /// as many bytes, and, where both payloads show them, begins with the rest's bytes.
        /// A send of new data instead asks for fewer bytes, or begins otherwise.
        func isRetry(_ send: ServerEvent) -> Bool {
            guard send.requested >= owed else { return false }
            guard !restStart.isEmpty, let payload = send.payload, !payload.isEmpty else { return true }
            let overlap = min(restStart.count, payload.count)
            return restStart.prefix(overlap).elementsEqual(payload.prefix(overlap))
        }

        /// A call that read the fd after its end of stream, or returned it readable: counted
        /// once however many of both it did.
        mutating func countAfterEnd(_ seq: Int) {
            if lastAfterEnd != seq { afterEndCalls += 1 }
            lastAfterEnd = seq
        }
    }

    struct Key: Hashable, Sendable {
        var kind: LoopDiagnosis.Kind
        var fd: Int32
    }

    private var watches: [Int32: Watch] = [:]
    /// The connections with something pending, so a call costs only what it touches.
    private var spinning: Set<Int32> = []
    private var owing: Set<Int32> = []
    private var afterEnd: Set<Int32> = []
    /// Everything found, oldest first (bounded).
    public private(set) var found: [LoopDiagnosis] = []
    /// Where each finding still being updated is in `found`: one per kind and connection.
    private var open: [Key: Int] = [:]

    public init() {}

    /// Folds one call in; returns what it found that had not been found before.
    @discardableResult
    public mutating func apply(_ record: StepRecord) -> [LoopDiagnosis] {
        var new: [LoopDiagnosis] = []
        let seq = record.seq
        // Read in place through a pointer: iterating the array copies every event (a retain
        // each), and a frame's batch holds thousands.
        record.events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            for index in events.indices {
                let event = first + index
                let fd = event.pointee.fd
                switch event.pointee.kind {
                case .accept:
                    forget(fd)
                    watches[fd] = Watch()
                case .recv where event.pointee.detail == nil:
                    // The common case (data on a connection read as it should be) costs a lookup.
                    let at = watch(fd)
                    if let end = watches.values[at].endOfStream {
                        watches.values[at].countAfterEnd(seq)
                        let calls = watches.values[at].afterEndCalls
                        note(Key(kind: .readAfterEOF, fd: fd), new: &new) {
                            LoopDiagnosis(kind: .readAfterEOF, fd: fd, proof: .readAgain, since: end, found: seq,
                                          calls: calls)
                        }
                    } else if event.pointee.bytes == 0 {
                        watches.values[at].endOfStream = seq
                        afterEnd.insert(fd)
                    }
                case .send:
                    let at = watch(fd)
                    watches.values[at].lastSend = seq
                    // The common case (a whole send, nothing owed) ends here.
                    guard event.pointee.isShortSend || watches.values[at].owed > 0 else { break }
                    var watch = watches.values[at]
                    if watch.owed > 0 && !watch.isRetry(event.pointee) {
                        let asked = event.pointee.requested
                        lostRest(watch, fd: fd, proof: .otherDataSent(bytes: asked), at: seq, new: &new)
                    }
                    if event.pointee.isShortSend {
                        watch.owed = event.pointee.requested - event.pointee.bytes
                        watch.owedRequested = event.pointee.requested
                        watch.restStart = Self.restStart(of: event.pointee)
                        watch.owedSince = seq
                        watch.owedTid = record.origin?.tid
                        watch.unwatched = 0
                        owing.insert(fd)
                    } else {
                        watch.owed = 0
                        watch.restStart = []
                        owing.remove(fd)
                    }
                    watches[fd] = watch
                case .close:
                    // A close after an error, or one the built-in server makes by design (a mode
                    // that never sends, a shutdown), is not the program dropping the rest.
                    let reason = event.pointee.reason
                    if let watch = watches[fd], watch.owed > 0, reason == nil || reason == .eof {
                        lostRest(watch, fd: fd, proof: .closedWithRest, at: seq, new: &new)
                    }
                    forget(fd)
                case .listen where event.pointee.detail == ServerEvent.withoutReuseAddress:
                    note(Key(kind: .noReuseAddress, fd: fd), new: &new) {
                        LoopDiagnosis(kind: .noReuseAddress, fd: fd, since: seq, found: seq)
                    }
                case .mode:
                    for fd in owing { watches[fd]?.owed = 0 }
                    owing.removeAll()
                default:
                    break
                }
            }
        }
        checkSpins(record, new: &new)
        checkOwed(record, new: &new)
        checkAfterEnd(record, new: &new)
        return new
    }

    /// The rest's first bytes as a short send's payload shows them (none when the payload
    /// holds only what went, as the built-in server's does).
    static func restStart(of send: ServerEvent) -> ArraySlice<UInt8> {
        guard let payload = send.payload, send.bytes >= 0, payload.count > send.bytes else { return [] }
        return payload[send.bytes...]
    }

    /// Where `fd`'s watch is, made if the records had not shown the connection yet (a
    /// program attached to, whose accept was before the tracing).
    private mutating func watch(_ fd: Int32) -> Dictionary<Int32, Watch>.Index {
        if let at = watches.index(forKey: fd) { return at }
        watches[fd] = Watch()
        return watches.index(forKey: fd)!
    }

    private mutating func checkSpins(_ record: StepRecord, new: inout [LoopDiagnosis]) {
        let seq = record.seq
        guard !record.writable.isEmpty || !spinning.isEmpty else { return }
        var readable = FDLookup(record.readable)
        for fd in record.writable {
            // The common case (writable and sent on) costs one lookup.
            guard let at = watches.index(forKey: fd), watches.values[at].lastSend != seq else { continue }
            // Readable too: the call had data to return for, so it is no proof of a spin (an
            // edge-triggered epoll loop that keeps EPOLLOUT gets OUT with every IN). The
            // streak holds.
            if readable.contains(fd) {
                watches.values[at].lastWritable = seq
                continue
            }
            var watch = watches.values[at]
            if watch.streak == 0 {
                watch.streakStart = seq
                watch.spinRate = RateWindow()
            }
            watch.streak += 1
            watch.lastWritable = seq
            watch.spinRate.tick(record.time)
            spinning.insert(fd)
            if watch.streak >= Self.spinCalls {
                let streak = watch.streak, since = watch.streakStart, rate = watch.spinRate.rate
                note(Key(kind: .writableSpin, fd: fd), new: &new) {
                    LoopDiagnosis(kind: .writableSpin, fd: fd, since: since, found: seq, calls: streak, callsPerSecond: rate)
                } update: { found in
                    // A spin again on the same connection: the same finding, from this streak.
                    if !found.ongoing { found.since = since }
                    found.calls = streak
                    found.callsPerSecond = rate
                }
            }
            watches[fd] = watch
        }
        guard !spinning.isEmpty else { return }
        // Not writable this time, or sent on: the streak is over.
        for fd in spinning {
            guard var watch = watches[fd] else { continue }
            if watch.lastWritable == seq && watch.lastSend != seq { continue }
            watch.streak = 0
            watches[fd] = watch
            spinning.remove(fd)
            if let at = open[Key(kind: .writableSpin, fd: fd)] { found[at].ongoing = false }
        }
    }

    /// Membership in a call's list: a scan for the usual few fds; for thousands, a set made
    /// the first time it is asked (most calls never ask).
    struct FDLookup {
        let list: [Int32]
        private var set: Set<Int32>?

        init(_ list: [Int32]) { self.list = list }

        mutating func contains(_ fd: Int32) -> Bool {
            if list.count <= 16 { return list.contains(fd) }
            if set == nil { set = Set(list) }
            return set!.contains(fd)
        }
    }

    private mutating func checkOwed(_ record: StepRecord, new: inout [LoopDiagnosis]) {
        guard !owing.isEmpty else { return }
        let seq = record.seq
        var outputs = FDLookup(record.outputs)
        for fd in owing {
            // The calls of the thread that sent: another thread's loop does not watch this fd.
            guard var watch = watches[fd], watch.owedSince < seq, watch.owedTid == record.origin?.tid else { continue }
            if watch.lastSend == seq || outputs.contains(fd) {
                watch.unwatched = 0
            } else {
                watch.unwatched += 1
                if watch.unwatched >= Self.unwatchedCalls {
                    lostRest(watch, fd: fd, proof: .notWatched, at: seq, new: &new)
                    watch.owed = 0
                    owing.remove(fd)
                }
            }
            watches[fd] = watch
        }
    }

    private mutating func checkAfterEnd(_ record: StepRecord, new: inout [LoopDiagnosis]) {
        guard !afterEnd.isEmpty else { return }
        let seq = record.seq
        var readable = FDLookup(record.readable)
        for fd in afterEnd {
            guard var watch = watches[fd], let end = watch.endOfStream, end < seq, readable.contains(fd) else { continue }
            watch.countAfterEnd(seq)
            watch.afterEndRate.tick(record.time)
            let calls = watch.afterEndCalls, rate = watch.afterEndRate.rate
            note(Key(kind: .readAfterEOF, fd: fd), new: &new) {
                LoopDiagnosis(kind: .readAfterEOF, fd: fd, proof: .keptInInputs, since: end, found: seq, calls: calls, callsPerSecond: rate)
            } update: { found in
                found.callsPerSecond = rate
            }
            watches[fd] = watch
        }
    }

    private mutating func lostRest(_ watch: Watch, fd: Int32, proof: LoopDiagnosis.Proof, at seq: Int, new: inout [LoopDiagnosis]) {
        note(Key(kind: .unsentRest, fd: fd), new: &new) {
            LoopDiagnosis(kind: .unsentRest, fd: fd, proof: proof, since: watch.owedSince, found: seq, calls: 1,
                          bytesLeft: watch.owed, requested: watch.owedRequested)
        } update: { found in
            // Counted per rest lost; the first one's evidence stays.
            found.calls += 1
        }
    }

    /// Records a finding: a new one is kept and returned once; one already open for the same
    /// kind and connection is brought up to date instead (`calls` and `last` by default).
    private mutating func note(_ key: Key, new: inout [LoopDiagnosis], make: () -> LoopDiagnosis,
                               update: (inout LoopDiagnosis) -> Void = { _ in }) {
        if let at = open[key] {
            let fresh = make()
            found[at].last = fresh.found
            if key.kind != .unsentRest { found[at].calls = fresh.calls }
            update(&found[at])
            found[at].ongoing = true
            return
        }
        let diagnosis = make()
        new.append(diagnosis)
        if found.count >= Self.capacity { evictOne() }
        open[key] = found.count
        found.append(diagnosis)
    }

    private mutating func evictOne() {
        let at = found.firstIndex { !$0.ongoing } ?? 0
        found.remove(at: at)
        open = open.compactMapValues { $0 == at ? nil : ($0 > at ? $0 - 1 : $0) }
    }

    /// The connection on `fd` is gone: what was open about it is over.
    private mutating func forget(_ fd: Int32) {
        watches[fd] = nil
        spinning.remove(fd)
        owing.remove(fd)
        afterEnd.remove(fd)
        for kind in LoopDiagnosis.Kind.allCases {
            if let at = open.removeValue(forKey: Key(kind: kind, fd: fd)) { found[at].ongoing = false }
        }
    }
}
