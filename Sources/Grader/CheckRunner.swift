import Foundation
import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The verdicts for one submission, and how the run went.
public struct CheckReport: Sendable, Equatable {
    public var exercise: Int
    public var command: [String]
    public var port: Int
    public var results: [CheckResult] = []
    /// How it was isolated and traced, and any limit it hit.
    public var notes: [String] = []
    /// Why it could not be checked at all (no way to trace it, no sandbox); nil when it ran.
    public var couldNotRun: String?
    public var seconds: Double = 0

    public init(exercise: Int, command: [String], port: Int) {
        self.exercise = exercise
        self.command = command
        self.port = port
    }

    public func result(_ id: CheckID) -> CheckResult? { results.first { $0.id == id } }

    /// 0: every behaviour check passed; 1: one failed; 2: it could not be run.
    public var exitCode: Int32 {
        if couldNotRun != nil { return 2 }
        return results.contains { $0.kind == .behaviour && $0.status != .passed } ? 1 : 0
    }
}

/// Runs one submission through every check of its exercise: a behaviour run, then one run
/// per robustness check (a check that kills the program must not hide the next one's
/// result), each in the same sandbox, each on the same port.
public final class CheckRunner {
    public let exercise: Exercise
    public let command: [String]
    public let port: Int
    public let method: TraceMethod
    public let limits: Limits
    /// Only these checks (all of the exercise's when nil).
    public var only: Set<CheckID>?

    public init(exercise: Exercise, command: [String], port: Int, method: TraceMethod, limits: Limits = Limits()) {
        self.exercise = exercise
        self.command = command
        self.port = port
        self.method = method
        self.limits = limits
    }

    public func run() -> CheckReport {
        let started = Posix.monotonicSeconds()
        var report = CheckReport(exercise: exercise.number, command: command, port: port)
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(limits: limits, label: String(port))
        } catch {
            report.couldNotRun = "cannot make a sandbox: \(error)"
            return report
        }
        defer { sandbox.destroy() }
        let shimPath = "\(sandbox.scratch)/selectscope_shim.py"
        if method == .pythonShim {
            do {
                try PythonShim.source.write(toFile: shimPath, atomically: true, encoding: .utf8)
            } catch {
                report.couldNotRun = "cannot write the Python wrapper: \(error)"
                return report
            }
        }
        report.notes.append("traced by: \(method.description)")
        report.notes.append("isolated by: \(sandbox.isolation)")

        let ids = CheckID.checks(for: exercise).filter { only?.contains($0) ?? true }
        func argv(_ session: Session) -> [String] {
            // many-clients judges survival, not the socket calls: 1,100 accepts go faster
            // when only the readiness calls stop the program.
            method.argv(command: command, port: session.port, trace: session.tracePath, shimPath: shimPath,
                        socketEvents: session.name != CheckID.manyClients.rawValue)
        }

        // Behaviour: one run.
        let main = Session(sandbox: sandbox, name: "behaviour", exercise: exercise, port: port)
        main.start(argv(main))
        Scenarios.behaviour(main)
        main.stop()
        let observation = main.finish()
        if let hit = observation.limitHit { report.notes.append("stopped: \(hit.description)") }
        report.notes += observation.notes
        // The tracer could not start it at all (no such command, not executable).
        if !observation.listened, observation.records.isEmpty, !observation.outcome.isRunning,
           let line = observation.stderrTail.first(where: { $0.hasPrefix("selectscope: ") && ($0.contains("command not found") || $0.contains("not executable")) }) {
            report.couldNotRun = String(line.dropFirst("selectscope: ".count))
            return report
        }
        if case .notStarted(let reason) = observation.outcome {
            report.couldNotRun = "cannot start \(command.joined(separator: " ")): \(reason)"
            return report
        }
        report.notes.append("behaviour: \(ReportFormat.seconds(Posix.monotonicSeconds() - started)) s")
        for id in ids where id.kind == .behaviour {
            if id != .listens && !observation.listened {
                report.results.append(.skip(id, "not run: it never listened"))
            } else {
                report.results.append(Judges.judge(id, observation))
            }
        }

        // A program of an echoing exercise that sent not one byte back to any client is not
        // waited on for 3 s per reply in the runs to come: it answers none of them.
        let echoedNothing = exercise.echoes && !observation.clients.isEmpty && observation.clients.allSatisfy { $0.received.isEmpty }
        if echoedNothing { report.notes.append("it echoed nothing: later runs wait 1 s for a reply, not 3 s") }
        let replyTimeout = echoedNothing ? 1.0 : 3.0

        // Robustness: a fresh run each.
        for id in ids where id.kind == .robustness {
            guard observation.listened else {
                report.results.append(.skip(id, "not run: it never listened"))
                continue
            }
            sandbox.resetMemoryCounter()
            let sessionStarted = Posix.monotonicSeconds()
            // A port of its own: the last run's connections keep its port in TIME_WAIT, and a
            // program without SO_REUSEADDR would fail every later check, not only `restart`.
            let session = Session(sandbox: sandbox, name: id.rawValue, exercise: exercise, port: Self.freePort() ?? port)
            session.replyTimeout = replyTimeout
            session.start(argv(session))
            let judged: Observation
            switch id {
            case .sendThenClose: Scenarios.sendThenClose(session); session.stop(); judged = session.finish()
            case .reset: Scenarios.reset(session); session.stop(); judged = session.finish()
            case .slowReader: Scenarios.slowReader(session); session.stop(); judged = session.finish()
            case .shortSend: Scenarios.shortSend(session); session.stop(); judged = session.finish()
            case .manyClients: Scenarios.manyClients(session); session.stop(); judged = session.finish()
            case .restart: judged = restart(first: session, sandbox: sandbox, argv: argv)
            default: continue
            }
            let result = Judges.judge(id, judged)
            report.notes.append("\(id.rawValue): \(ReportFormat.seconds(Posix.monotonicSeconds() - sessionStarted)) s")
            if result.status != .passed, let hit = judged.limitHit { report.notes.append("\(id.rawValue): stopped: \(hit.description)") }
            report.results.append(result)
        }
        report.seconds = Posix.monotonicSeconds() - started
        return report
    }

    /// Connections open, the program ends, and starts again at once on the same port.
    private func restart(first: Session, sandbox: Sandbox, argv: (Session) -> [String]) -> Observation {
        if first.observation.listened {
            let before = (1...3).compactMap { first.connect("before-\($0)") }
            for client in before { client.send(Scenarios.hello) }
            first.awaitHandled(before)
        }
        first.stop()
        let again = Session(sandbox: sandbox, name: "restart-again", exercise: exercise, port: first.port)
        again.replyTimeout = first.replyTimeout
        again.start(argv(again), listenTimeout: 3)
        Scenarios.probe(again)
        again.stop()
        return again.finish()
    }

    /// A port nothing listens on now: bind port 0 and ask which it got.
    public static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        return ProbeClient.localPort(of: fd)
    }
}
