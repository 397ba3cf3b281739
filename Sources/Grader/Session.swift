import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// One launch of the submission: started in the sandbox under its trace method, driven by
/// scripted clients, stopped, and turned into an `Observation` for the judges.
final class Session {
    let sandbox: Sandbox
    let name: String
    let exercise: Exercise
    let port: Int
    let tracePath: String
    private(set) var pid: Int32 = -1
    private(set) var outcome: ProcessOutcome = .running
    private(set) var clients: [ProbeClient] = []
    /// How long a client waits for its message to be handled. 3 s; the grader gives a program
    /// that echoed nothing at all in its behaviour run 1 s in its later runs, where every
    /// client would otherwise wait the whole 3 s for a reply that never comes.
    var replyTimeout = 3.0
    private var finishedLogs: [ClientLog] = []
    var observation: Observation

    init(sandbox: Sandbox, name: String, exercise: Exercise, port: Int) {
        self.sandbox = sandbox
        self.name = name
        self.exercise = exercise
        self.port = port
        tracePath = "\(sandbox.scratch)/\(name).trace"
        observation = Observation(exercise: exercise, port: port)
    }

    /// Starts the program; then waits (up to `timeout`) until something listens on the port.
    @discardableResult
    func start(_ argv: [String], listenTimeout: Double = 5) -> Bool {
        do {
            pid = try sandbox.spawn(argv, name: name)
        } catch {
            outcome = .notStarted(reason: "\(error)")
            return false
        }
        let deadline = Posix.monotonicSeconds() + listenTimeout
        while Posix.monotonicSeconds() < deadline {
            if Self.listening(on: port) {
                observation.listened = true
                observation.baselineMemory = sandbox.residentBytes()
                observation.peakMemory = observation.baselineMemory
                return true
            }
            if !alive { return false }
            usleep(10_000)
        }
        return false
    }

    /// Whether the process is still running (reaps it when it is not).
    var alive: Bool {
        guard pid > 0 else { return false }
        if outcome.isRunning { outcome = sandbox.poll(pid) }
        return outcome.isRunning
    }

    func sampleMemory() {
        observation.peakMemory = max(observation.peakMemory, sandbox.residentBytes())
    }

    /// A new client; nil (and a log with the problem) when it could not connect.
    @discardableResult
    func connect(_ role: String, receiveBuffer: Int32? = nil, sendBuffer: Int32? = nil, timeout: Double = 3, wait: Bool = true) -> ProbeClient? {
        let index = clients.count + finishedLogs.count
        do {
            let client = try ProbeClient(port: port, role: role, index: index, timeout: timeout, receiveBuffer: receiveBuffer, sendBuffer: sendBuffer, wait: wait)
            clients.append(client)
            return client
        } catch {
            var log = ClientLog(role: role, localPort: 0, index: index)
            log.problem = "connect: \(error)"
            finishedLogs.append(log)
            return nil
        }
    }

    private var traceOffset: UInt64 = 0
    private var recordsSoFar: [StepRecord] = []
    private var servingThreads = ServingThreads()

    /// A program that spins writes thousands of records a second. Consecutive calls that
    /// repeat the one before (same lists, same results, nothing done) are kept as one, and
    /// past this many records the rest of the trace is not read.
    static let recordLimit = 200_000

    /// The records written so far: each call reads only the complete lines added since the last.
    @discardableResult
    func records() -> [StepRecord] {
        guard recordsSoFar.count < Self.recordLimit else { return recordsSoFar }
        guard let handle = FileHandle(forReadingAtPath: tracePath) else { return recordsSoFar }
        defer { try? handle.close() }
        try? handle.seek(toOffset: traceOffset)
        guard let data = try? handle.read(upToCount: 8 << 20), let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return recordsSoFar }
        let complete = [UInt8](data[data.startIndex...lastNewline])
        traceOffset += UInt64(complete.count)
        // The lines to decode, all at once; after each, the latest number of its repeats.
        var kept: [UInt8] = []
        var repeatsAfter: [Int] = []
        var start = 0
        while start < complete.count, let end = complete[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = complete[start..<end]
            start = end + 1
            if line.isEmpty { continue }
            if let seq = repeatedLine.repeatedSeq(line) {
                if repeatsAfter.isEmpty {
                    if lastAdmitted { latestSeq = max(latestSeq, seq) }  // repeats the last call read before
                } else {
                    repeatsAfter[repeatsAfter.count - 1] = seq
                }
                continue
            }
            kept += line
            kept.append(UInt8(ascii: "\n"))
            repeatsAfter.append(0)
        }
        for (index, record) in TraceReader.parse(Data(kept)).records.enumerated() {
            lastAdmitted = servingThreads.admit(record)
            guard lastAdmitted else { continue }
            latestSeq = max(latestSeq, record.seq, repeatsAfter[index])
            if let last = recordsSoFar.last, Self.repeats(record, last) { continue }
            recordsSoFar.append(record)
        }
        return recordsSoFar
    }

    private var repeatedLine = RepeatedLine()
    /// Whether the last call decoded belongs to the graded loop (so do its repeats).
    private var lastAdmitted = false
    /// The number of the graded loop's latest call, repeats folded away included: calls made
    /// in a window are the difference of two of these.
    private(set) var latestSeq = 0

    /// Waits until `condition` holds on the records so far, the program dies, or the deadline.
    @discardableResult
    func waitForTrace(timeout: Double, _ condition: ([StepRecord]) -> Bool) -> Bool {
        let deadline = Posix.monotonicSeconds() + timeout
        while Posix.monotonicSeconds() < deadline {
            if condition(records()) { return true }
            if !alive { return condition(records()) }
            usleep(10_000)
        }
        return false
    }

    /// Sends a message as the exercise's client would and waits until it was handled: its
    /// echo came back (exercises 2–5), or the program read it all (exercise 1).
    @discardableResult
    func deliver(_ bytes: [UInt8], by client: ProbeClient, timeout: Double? = nil) -> Bool {
        let timeout = timeout ?? replyTimeout
        if exercise.echoes { return client.exchange(bytes, timeout: timeout) }
        guard client.send(bytes, timeout: timeout) else { return false }
        return waitUntilRead(by: client, timeout: timeout)
    }

    /// Waits until each of `clients` was handled (its echo back in full, or, exercise 1, its
    /// bytes read), all within one deadline: clients sent at once are answered at once, and a
    /// program that answers none is not waited on once per client.
    func awaitHandled(_ clients: [ProbeClient], timeout: Double? = nil) {
        let deadline = Posix.monotonicSeconds() + (timeout ?? replyTimeout)
        for client in clients {
            let left = max(0.05, deadline - Posix.monotonicSeconds())
            if exercise.echoes {
                client.receive(upTo: client.log.sent.count, timeout: left)
            } else {
                waitUntilRead(by: client, timeout: left)
            }
        }
    }

    /// Waits until the program has read everything `client` sent (the kernel's receive queue
    /// on its side is empty); records it in the client's log.
    @discardableResult
    func waitUntilRead(by client: ProbeClient, timeout: Double) -> Bool {
        let deadline = Posix.monotonicSeconds() + timeout
        while Posix.monotonicSeconds() < deadline {
            if KernelSockets().programRead(port: port, clientPort: client.log.localPort) {
                client.log.readByProgram = client.log.sent.count
                return true
            }
            if !alive { return false }
            usleep(5_000)
        }
        return false
    }

    /// Ends the program (SIGTERM, then SIGKILL) and closes the clients. The observation
    /// keeps how it ended on its own, or `.running` when it was still serving at the end.
    func stop() {
        wakeForLastRecord()
        // A program that closed its listener is on its way out (its sockets close before its
        // exit status is ready): let it finish dying rather than take it for stopped by us.
        let dying = Posix.monotonicSeconds() + 1
        while alive && observation.listened && !Self.listening(on: port) && Posix.monotonicSeconds() < dying { usleep(5_000) }
        let endedOnItsOwn = !alive
        if pid > 0 { outcome = sandbox.stop(pid, already: outcome) }
        if !endedOnItsOwn { stoppedByGrader = true }
        closeClients()
    }

    /// A tracer that writes each record when its call returns holds the events of the last
    /// call handled until the next call returns: one more connection makes that happen.
    private func wakeForLastRecord() {
        guard alive && observation.listened && !clients.isEmpty else { return }
        let before = records().count
        guard let wake = try? ProbeClient(port: port, role: "wake", index: -1, timeout: 1) else { return }
        waitForTrace(timeout: 1) { $0.count > before }
        wake.close()
    }

    /// The grader ended the program (it had not died or exited by itself).
    private(set) var stoppedByGrader = false

    func closeClients() {
        for client in clients {
            client.drain()
            finishedLogs.append(client.log)
            client.close()
        }
        clients.removeAll()
    }

    /// Everything the judges need. Call after `stop()`.
    func finish(wasRunning: Bool? = nil) -> Observation {
        var result = observation
        var records = self.records()
        while records.count < Self.recordLimit {
            let before = records.count
            records = self.records()
            if records.count == before { break }
        }
        if records.count >= Self.recordLimit { result.notes.append("trace cut at \(records.count) calls") }
        let others = servingThreads.leftOut
        if others > 0 {
            result.notes.append("not graded: the readiness calls of \(others) thread\(others == 1 ? "" : "s") that never wait\(others == 1 ? "s" : "") on the listening socket")
        }
        result.records = Array(records.prefix(Self.recordLimit))
        result.clients = finishedLogs.sorted { $0.index < $1.index }
        result.outcome = stoppedByGrader ? .running : outcome
        result.limitHit = sandbox.limitHit()
        let stderr = sandbox.readOutput(name, stream: "stderr")
        if result.limitHit == nil && stderr.contains("MemoryError") { result.limitHit = .memory }
        if case .signalled(let signal) = outcome, signal == SIGXCPU { result.limitHit = .cpu }
        result.stderrTail = stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !Self.isTracerNotice($0) }.suffix(12)
        while result.stderrTail.last?.isEmpty == true { result.stderrTail.removeLast() }
        return result
    }

    /// A call that tells nothing new: the same lists in, the same results out, nothing done.
    static func repeats(_ record: StepRecord, _ previous: StepRecord) -> Bool {
        record.events.isEmpty && previous.events.isEmpty && record.inputs == previous.inputs && record.outputs == previous.outputs
            && record.readable == previous.readable && record.writable == previous.writable
            && record.exceptional == previous.exceptional && record.timeout == previous.timeout && !record.isEmptyResult
    }

    /// The tracer's own progress lines on stderr (bind rewritten, listening, exited): the
    /// report says those things itself.
    static func isTracerNotice(_ line: String) -> Bool {
        if line.hasPrefix("selectscope: started pid ") { return true }
        guard line.hasPrefix("selectscope: pid ") else { return false }
        return line.contains(" bind(") || line.hasPrefix("selectscope: started pid ") || line.contains(" listening on ") || line.contains(" exited with status ") || line.contains(" killed by ")
            || line.contains(" has not called listen() in ") || line.contains("(a daemon's fork)")
    }

    /// Whether a socket listens on `port` (/proc/net/tcp and tcp6, state 0A), without
    /// connecting to it: a probe connection would show up in the program's trace.
    static func listening(on port: Int) -> Bool {
        KernelSockets().listening(on: port)
    }
}
