import Foundation
import SelectCore

/// The judges: pure functions from what one run left behind to a verdict. Behaviour checks
/// read the main run's observation; each robustness check reads its own run's.
public enum Judges {
    public static func judge(_ id: CheckID, _ observation: Observation) -> CheckResult {
        switch id {
        case .listens: return listens(observation)
        case .accepts: return accepts(observation)
        case .multiClient: return multiClient(observation)
        case .echo: return echo(observation)
        case .neverSends: return neverSends(observation)
        case .writefds: return writefds(observation)
        case .directSend: return directSend(observation)
        case .timeout: return timeout(observation)
        case .close: return close(observation)
        case .noSpin: return noSpin(observation)
        case .sendThenClose: return sendThenClose(observation)
        case .reset: return reset(observation)
        case .slowReader: return slowReader(observation)
        case .shortSend: return shortSend(observation)
        case .restart: return restart(observation)
        case .manyClients: return manyClients(observation)
        }
    }

    // MARK: - Behaviour

    static func listens(_ o: Observation) -> CheckResult {
        if o.listened { return .pass(.listens, "accepted a connection on port \(o.port)") }
        return .fail(.listens, "nothing accepted a connection on port \(o.port)", evidence: died(o) + noCalls(o))
    }

    static func accepts(_ o: Observation) -> CheckResult {
        let facts = TraceFacts(o.records)
        let connected = o.clients.filter { $0.problem == nil || !$0.problem!.hasPrefix("connect") }
        guard !connected.isEmpty else { return .fail(.accepts, "no client could connect", evidence: died(o)) }
        let missing = connected.filter { facts.connection(of: $0) == nil }
        if missing.isEmpty {
            return .pass(.accepts, "accepted all \(connected.count) clients")
        }
        var evidence = missing.prefix(5).map { "client \($0.role) (port \($0.localPort)) was never accepted" }
        if facts.accepts.isEmpty { evidence.append("the trace shows no accept() at all") }
        return .fail(.accepts, "\(missing.count) of \(connected.count) clients were never accepted", evidence: evidence + died(o))
    }

    static func multiClient(_ o: Observation) -> CheckResult {
        let clients = o.clients(withPrefix: "multi")
        guard !clients.isEmpty else { return .fail(.multiClient, "no client could connect", evidence: died(o)) }
        let facts = TraceFacts(o.records)
        let starved = clients.filter { !served($0, o, facts) }
        if starved.isEmpty {
            return o.exercise.echoes
                ? .pass(.multiClient, "\(clients.count) clients at once, every one echoed")
                : .pass(.multiClient, "read everything the sender sent")
        }
        let evidence = starved.prefix(5).map { client in
            o.exercise.echoes
                ? "client \(client.role) sent \(client.sent.count) B, got \(client.received.count) B back" + (client.problem.map { " (\($0))" } ?? "")
                : "the sender's \(client.sent.count) B were not all read"
        }
        return .fail(.multiClient, "\(starved.count) of \(clients.count) clients starved", evidence: evidence + died(o))
    }

    static func echo(_ o: Observation) -> CheckResult {
        guard let client = o.client("echo") else { return .fail(.echo, "the echo client could not connect", evidence: died(o)) }
        if client.echoedExactly { return .pass(.echo, "\(client.sent.count) B in \(4) messages came back byte-exact, in order") }
        var evidence: [String] = []
        let mismatch = firstDifference(client.sent, client.received)
        if let mismatch {
            evidence.append("byte \(mismatch) differs: sent \(PythonRepr.bytes(Array(client.sent[mismatch..<min(client.sent.count, mismatch + 16)])))"
                + ", got \(PythonRepr.bytes(Array(client.received[mismatch..<min(client.received.count, mismatch + 16)])))")
        } else {
            evidence.append("sent \(client.sent.count) B, got \(client.received.count) B back")
        }
        if let problem = client.problem { evidence.append(problem) }
        let reason = mismatch != nil ? "the bytes that came back are not the bytes sent" : "not every byte came back"
        return .fail(.echo, reason, evidence: evidence + died(o))
    }

    static func neverSends(_ o: Observation) -> CheckResult {
        for (index, record) in o.records.enumerated() {
            if let send = record.events.first(where: { $0.kind == .send }) {
                return .fail(.neverSends, "sent \(send.bytes) B to fd \(send.fd): exercise 1 never sends",
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedOutputs: [],
                                                            after: index > 0 ? Checklist.summary(of: o.records[index - 1]) : nil))
            }
            if !record.outputs.isEmpty {
                return .fail(.neverSends, "put fd \(record.outputs[0]) in outputs: exercise 1 never writes",
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedOutputs: [],
                                                            after: index > 0 ? Checklist.summary(of: o.records[index - 1]) : nil))
            }
        }
        if let client = o.clients.first(where: { !$0.received.isEmpty }) {
            return .fail(.neverSends, "client \(client.role) got \(client.received.count) B back")
        }
        return .pass(.neverSends, "kept what it read, sent nothing, outputs stayed empty")
    }

    /// Exercises 2 and 4: data read puts the connection in `outputs`; a send happens only on a
    /// connection the call returned writable; writable with nothing to send leaves `outputs`.
    static func writefds(_ o: Observation) -> CheckResult {
        var sends = 0
        for (index, record) in o.records.enumerated() {
            let after = index > 0 ? Checklist.summary(of: o.records[index - 1]) : nil
            for send in record.events where send.kind == .send {
                sends += 1
                if !record.writable.contains(send.fd) {
                    var asked = record.outputs
                    if !asked.contains(send.fd) { asked.append(send.fd) }
                    return .fail(.writefds, "sent to fd \(send.fd) from the read branch, before a call returned it writable",
                                 evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedOutputs: asked, after: after)
                                    + ["  exercise \(o.exercise.number) queues the data, adds fd \(send.fd) to outputs, and sends when select() says writable"])
                }
            }
            guard index + 1 < o.records.count else { continue }
            let next = o.records[index + 1]
            var asked = next.outputs
            var problem: String?
            for fd in TraceFacts.connectionFDs(record) where !TraceFacts.closed(record, fd: fd) {
                if TraceFacts.receivedData(record, fd: fd) && !next.outputs.contains(fd) {
                    asked.append(fd)
                    problem = problem ?? "read data on fd \(fd) in call #\(record.seq) but did not add it to outputs"
                } else if record.writable.contains(fd) && !TraceFacts.sent(record, fd: fd) && next.outputs.contains(fd)
                            && !TraceFacts.receivedData(record, fd: fd) {
                    asked.removeAll { $0 == fd }
                    problem = problem ?? "fd \(fd) came back writable with nothing to send and stayed in outputs (select() returns at once: a spin)"
                }
            }
            if let problem {
                return .fail(.writefds, problem,
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: next, expectedOutputs: asked.sorted(),
                                                            after: Checklist.summary(of: record)))
            }
        }
        if sends == 0 { return .fail(.writefds, "never sent anything", evidence: died(o)) }
        return .pass(.writefds, "\(sends) sends, each on a writable connection; outputs emptied with the queues")
    }

    /// Exercises 3 and 5: what is read goes straight back in the same call; `outputs` holds
    /// only connections with the rest of a short send.
    static func directSend(_ o: Observation) -> CheckResult {
        var leftovers = Set<Int32>()
        var sends = 0
        for (index, record) in o.records.enumerated() {
            let after = index > 0 ? Checklist.summary(of: o.records[index - 1]) : nil
            if let fd = record.outputs.first(where: { !leftovers.contains($0) }) {
                return .fail(.directSend, "put fd \(fd) in outputs with nothing left over: exercise \(o.exercise.number) sends from the read branch",
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record,
                                                            expectedOutputs: record.outputs.filter { leftovers.contains($0) }, after: after))
            }
            for event in record.events {
                switch event.kind {
                case .send:
                    sends += 1
                    if event.isShortSend { leftovers.insert(event.fd) }
                    let fromRead = record.readable.contains(event.fd) && TraceFacts.receivedData(record, fd: event.fd)
                    if !fromRead && !leftovers.contains(event.fd) {
                        return .fail(.directSend, "sent to fd \(event.fd) on writable, not from the read branch",
                                     evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedOutputs: [], after: after))
                    }
                case .close:
                    leftovers.remove(event.fd)
                default: break
                }
            }
            for fd in record.readable where TraceFacts.receivedData(record, fd: fd)
                && !TraceFacts.sent(record, fd: fd) && !leftovers.contains(fd) && !TraceFacts.closed(record, fd: fd) {
                return .fail(.directSend, "read data on fd \(fd) and did not send it back in the same call",
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedOutputs: record.outputs, after: after)
                                + ["  exercise \(o.exercise.number) calls send() right after recv(), in the read branch"])
            }
            // A connection whose leftovers went out leaves the list; forget it once it has.
            if index + 1 < o.records.count {
                for fd in leftovers where !o.records[index + 1].outputs.contains(fd) { leftovers.remove(fd) }
            }
        }
        if sends == 0 { return .fail(.directSend, "never sent anything", evidence: died(o)) }
        return .pass(.directSend, "\(sends) sends, each from the read branch; outputs stayed empty")
    }

    static func timeout(_ o: Observation) -> CheckResult {
        guard !o.records.isEmpty else { return .fail(.timeout, "made no readiness call", evidence: died(o)) }
        let asked = o.exercise.timeout
        for (index, record) in o.records.enumerated() {
            let ok: Bool
            if let asked {
                ok = record.timeout.map { abs($0 - asked) <= 0.1 } ?? false
            } else {
                ok = record.timeout == nil
            }
            if !ok {
                let reason = asked == nil
                    ? "passed a timeout of \(Checklist.describe(timeout: record.timeout)): exercise \(o.exercise.number) blocks until something is ready"
                    : "passed \(Checklist.describe(timeout: record.timeout)) as the timeout: exercise 5 passes 2 s"
                return .fail(.timeout, reason,
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record, expectedTimeout: .some(asked),
                                                            after: index > 0 ? Checklist.summary(of: o.records[index - 1]) : nil))
            }
        }
        guard let asked else { return .pass(.timeout, "every call blocks until something is ready (no timeout)") }
        guard let idle = o.idle, let first = idle.firstSeq, let last = idle.lastSeq else {
            return .pass(.timeout, "every call passes \(Checklist.describe(timeout: asked))")
        }
        let empties = o.records.filter { $0.seq >= first && $0.seq <= last && $0.isEmptyResult }
        guard !empties.isEmpty else {
            return .fail(.timeout, "idle for \(Int(idle.seconds)) s and no call came back empty", evidence: died(o))
        }
        if let odd = empties.first(where: { abs($0.blockedMilliseconds - asked * 1000) > 500 }) {
            return .fail(.timeout, "an empty result came back after \(Int(odd.blockedMilliseconds)) ms, not ~\(Int(asked * 1000)) ms")
        }
        return .pass(.timeout, "every call passes 2 s; idle, \(empties.count) empty results ~2 s apart")
    }

    static func close(_ o: Observation) -> CheckResult {
        guard let client = o.client("closer") else { return .fail(.close, "the closing client could not connect", evidence: died(o)) }
        let facts = TraceFacts(o.records)
        guard let connection = facts.connection(of: client) else {
            return .fail(.close, "the closing client was never accepted", evidence: died(o))
        }
        guard let closedAt = facts.closeIndex(of: connection.fd, from: connection.acceptedAt) else {
            return .fail(.close, "the client closed, the program never closed fd \(connection.fd)", evidence: died(o))
        }
        for index in (closedAt + 1)..<max(closedAt + 1, o.records.count) {
            let record = o.records[index]
            if record.events.contains(where: { $0.kind == .accept && $0.fd == connection.fd }) { break }
            if record.inputs.contains(connection.fd) || record.outputs.contains(connection.fd) {
                return .fail(.close, "closed fd \(connection.fd) but kept it in the lists",
                             evidence: Checklist.sideBySide(exercise: o.exercise, record: record,
                                                            expectedInputs: record.inputs.filter { $0 != connection.fd },
                                                            expectedOutputs: record.outputs.filter { $0 != connection.fd },
                                                            after: Checklist.summary(of: o.records[index - 1])))
            }
        }
        return .pass(.close, "closed fd \(connection.fd) when its client closed; it left inputs and outputs")
    }

    static func noSpin(_ o: Observation) -> CheckResult {
        guard let idle = o.idle, idle.seconds > 0 else { return .fail(.noSpin, "the idle phase never ran", evidence: died(o)) }
        let rate = Double(idle.calls) / idle.seconds
        let cpu = idle.cpuSeconds / idle.seconds
        let figures = "\(idle.calls) calls in \(TraceEncoder.decimal(idle.seconds, places: 1)) s idle (\(Int(rate.rounded()))/s), \(Int((cpu * 100).rounded())) % CPU"
        if rate <= 20 && cpu <= 0.25 { return .pass(.noSpin, figures) }
        var evidence: [String] = []
        if let first = idle.firstSeq, let spin = o.records.first(where: { $0.seq >= first && !$0.isEmptyResult }) {
            evidence = Checklist.sideBySide(exercise: o.exercise, record: spin,
                                            expectedOutputs: o.exercise.replies == .throughWritefds ? [] : nil, after: "while every client was idle")
            if !spin.writable.isEmpty {
                evidence.append("  fd \(spin.writable[0]) comes back writable on every call: remove it from outputs once its queue is empty")
            }
        }
        return .fail(.noSpin, "busy-loops with every client idle: " + figures, evidence: evidence)
    }

    // MARK: - Robustness

    static func sendThenClose(_ o: Observation) -> CheckResult {
        if let dead = deadReason(.sendThenClose, o, "a client sent a message and closed at once") { return dead }
        if o.exercise.echoes, let client = o.client("closer"), client.received.count < client.sent.count {
            return .fail(.sendThenClose, "the message sent just before closing did not come back (\(client.received.count) of \(client.sent.count) B)")
        }
        if let starved = unserved(.sendThenClose, o) { return starved }
        return .pass(.sendThenClose, o.exercise.echoes ? "echoed the last message, closed, kept serving" : "closed it, kept serving")
    }

    static func reset(_ o: Observation) -> CheckResult {
        if let dead = deadReason(.reset, o, "a client reset its connection (RST)") { return dead }
        let facts = TraceFacts(o.records)
        if let client = o.client("resetter"), let connection = facts.connection(of: client),
           facts.closeIndex(of: connection.fd, from: connection.acceptedAt) == nil {
            return .fail(.reset, "never closed fd \(connection.fd) after its client reset it")
        }
        if let starved = unserved(.reset, o) { return starved }
        return .pass(.reset, "closed the reset connection, kept serving")
    }

    static func slowReader(_ o: Observation) -> CheckResult {
        if let dead = deadReason(.slowReader, o, "a client sent fast and never read") { return dead }
        let growth = max(0, o.peakMemory - o.baselineMemory)
        if growth > 64 << 20 {
            return .fail(.slowReader, "memory grew by \(growth >> 20) MiB for one client that never read: nothing bounds the queue")
        }
        let steady = o.clients(withPrefix: "steady")
        let facts = TraceFacts(o.records)
        if o.floodHeldBack == false, let flood = o.client("flood") {
            return .fail(.slowReader, "kept taking the bytes of a client that never reads (\(flood.sent.count >> 10) KiB and counting): nothing bounds its queue",
                         evidence: ["stop reading a connection (take it out of inputs) while its queue is long; put it back once it drains"])
        }
        if let flood = o.client("flood"), let connection = facts.connection(of: flood) {
            let held = facts.peakHeld(on: connection.fd, from: connection.acceptedAt)
            if held > TraceFacts.unboundedQueue {
                return .fail(.slowReader, "kept reading a client that never read: held \(held >> 20) MiB for it, and nothing bounds that",
                             evidence: ["stop reading a connection (take it out of inputs) while its queue is long; put it back once it drains"])
            }
        }
        if let starved = steady.first(where: { !served($0, o, facts) }) {
            return .fail(.slowReader, "another client was not served while one never read (\(starved.received.count) of \(starved.sent.count) B back)")
        }
        if o.exercise.echoes, let flood = o.client("flood"), flood.received != flood.sent {
            let mismatch = firstDifference(flood.sent, flood.received)
            let detail = mismatch.map { "byte \($0) differs" } ?? "\(flood.received.count) of \(flood.sent.count) B came back"
            return .fail(.slowReader, "bytes were lost for the client that read late: \(detail)")
        }
        return .pass(.slowReader, "others served, nothing lost, memory +\(growth >> 20) MiB")
    }

    static func shortSend(_ o: Observation) -> CheckResult {
        if let dead = deadReason(.shortSend, o, "a send to a slow reader came back short") { return dead }
        guard let bulk = o.client("bulk") else { return .fail(.shortSend, "the client could not connect") }
        if bulk.echoedExactly {
            let shorts = o.records.reduce(0) { $0 + $1.events.filter(\.isShortSend).count }
            return .pass(.shortSend, "\(bulk.sent.count >> 10) KiB came back exact (\(shorts) short sends)")
        }
        let mismatch = firstDifference(bulk.sent, bulk.received)
        let detail = mismatch.map { "byte \($0) of \(bulk.sent.count) differs" } ?? "\(bulk.received.count) of \(bulk.sent.count) B came back"
        return .fail(.shortSend, "the rest of a short send was lost: \(detail)",
                     evidence: ["send() may take fewer bytes than given; keep the rest at the head of the queue"])
    }

    static func restart(_ o: Observation) -> CheckResult {
        if o.listened { return .pass(.restart, "listened again at once on port \(o.port)") }
        let text = o.stderrTail.joined(separator: "\n")
        let reason = text.contains("Address already in use") || text.contains("EADDRINUSE")
            ? "could not listen again on port \(o.port): address already in use (set SO_REUSEADDR before bind)"
            : "did not listen again on port \(o.port)"
        return .fail(.restart, reason, evidence: died(o))
    }

    static func manyClients(_ o: Observation) -> CheckResult {
        if let dead = deadReason(.manyClients, o, "\(o.clients(withPrefix: "crowd").count) clients connected") { return dead }
        if let starved = unserved(.manyClients, o) { return starved }
        let refused = o.records.reduce(0) { $0 + $1.events.filter { $0.kind == .refused }.count }
        return .pass(.manyClients, "survived \(o.clients(withPrefix: "crowd").count) clients" + (refused > 0 ? " (refused \(refused))" : "") + ", kept serving")
    }

    // MARK: - Shared evidence

    /// The program died or was stopped during the run: the check fails with how it ended.
    static func deadReason(_ id: CheckID, _ o: Observation, _ what: String) -> CheckResult? {
        if !o.listened { return .fail(id, "never listened", evidence: died(o)) }
        guard !o.outcome.isRunning || o.limitHit != nil else { return nil }
        let last = o.stderrTail.last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        return .fail(id, "died when \(what): " + (last ?? o.outcome.summary), evidence: died(o))
    }

    /// The probe client, connected after the trouble, was not served.
    static func unserved(_ id: CheckID, _ o: Observation) -> CheckResult? {
        guard let probe = o.client("probe") else { return nil }
        if served(probe, o, TraceFacts(o.records)) { return nil }
        return .fail(id, "a client that came afterwards was not served" + (probe.problem.map { " (\($0))" } ?? ""), evidence: died(o))
    }

    static func died(_ o: Observation) -> [String] {
        var lines: [String] = []
        if let limit = o.limitHit { lines.append("stopped: \(limit.description)") }
        if !o.outcome.isRunning { lines.append("the program \(o.outcome.summary)") }
        if !o.outcome.isRunning || o.limitHit != nil || !o.listened {
            lines += o.stderrTail.suffix(8).map { "  | " + $0 }
        }
        return lines
    }

    /// A client was served: as many bytes came back as it sent (exercises 2–5; whether they
    /// are the right bytes is `echo`'s question), or the program read them all (exercise 1).
    static func served(_ client: ClientLog, _ o: Observation, _ facts: TraceFacts) -> Bool {
        o.exercise.echoes ? !client.sent.isEmpty && client.received.count >= client.sent.count : facts.received(everythingFrom: client)
    }

    /// The first offset where both have a byte and the bytes differ.
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for index in 0..<min(a.count, b.count) where a[index] != b[index] { return index }
        return nil
    }

    static func noCalls(_ o: Observation) -> [String] {
        o.records.isEmpty ? ["it made no select()/poll()/epoll call"] : []
    }
}

