import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One select() call, with the listener renamed L and connections C1, C2… in order of
/// appearance, so two servers with different fd numbers can be compared.
struct NormalizedCall: Equatable, CustomStringConvertible {
    var inputs: [String]
    var outputs: [String]
    var readable: [String]
    var writable: [String]
    var exceptional: [String]

    var isTimeout: Bool { readable.isEmpty && writable.isEmpty && exceptional.isEmpty }

    var description: String {
        func list(_ names: [String]) -> String { "[" + names.joined(separator: ",") + "]" }
        let result = isTimeout ? "timeout" : "r=\(list(readable)) w=\(list(writable)) x=\(list(exceptional))"
        return "in=\(list(inputs)) out=\(list(outputs)) -> \(result)"
    }
}

/// Renames fds: the listener is L, every other fd C1, C2… on first sight; a closed fd's
/// name is dropped, so a reused number is a new connection.
struct FDNamer {
    let listener: Int
    private var names: [Int: String] = [:]
    private var next = 1

    init(listener: Int) { self.listener = listener }

    mutating func name(_ fd: Int) -> String {
        if fd == listener { return "L" }
        if let name = names[fd] { return name }
        let name = "C\(next)"
        next += 1
        names[fd] = name
        return name
    }

    mutating func names(_ fds: [Int]) -> [String] { fds.map { name($0) } }

    mutating func call(inputs: [Int], outputs: [Int], readable: [Int], writable: [Int], exceptional: [Int]) -> NormalizedCall {
        NormalizedCall(inputs: names(inputs), outputs: names(outputs), readable: names(readable),
                       writable: names(writable), exceptional: names(exceptional))
    }

    mutating func forget(_ fd: Int) { names[fd] = nil }
}

/// What one server did under the seed's client, read from its trace.
struct OracleTrace {
    enum Item: Equatable {
        case call(NormalizedCall)
        case closed
    }

    var items: [Item] = []
    var crashes: [String] = []
    var ready = false

    var calls: [NormalizedCall] { items.compactMap { if case .call(let c) = $0 { return c } else { return nil } } }
    var closes: Int { items.filter { $0 == .closed }.count }
    var timeouts: Int { calls.filter(\.isTimeout).count }

    /// Timeouts after the first connection closed.
    var timeoutsAfterClose: Int {
        guard let first = items.firstIndex(of: .closed) else { return 0 }
        return items[first...].filter { if case .call(let c) = $0 { return c.isTimeout } else { return false } }.count
    }

    /// The seed server's wrapper (`Tests/Oracle/seed_server.py`): one line per call, plus
    /// `ready`, `close` and `crash` lines.
    static func seed(_ lines: [String]) -> OracleTrace {
        var trace = OracleTrace()
        var namer: FDNamer?
        for line in lines {
            guard let object = Rig.json(line) else { continue }
            if object["ready"] != nil {
                trace.ready = true
                namer = FDNamer(listener: (object["listener"] as? Int) ?? -1)
            } else if let crash = object["crash"] as? String {
                trace.crashes.append(crash)
            } else if let fd = object["close"] as? Int {
                if fd != namer?.listener {
                    namer?.forget(fd)
                    trace.items.append(.closed)
                }
            } else if object["call"] != nil, var current = namer {
                trace.items.append(.call(current.call(
                    inputs: Rig.ints(object["inputs"]), outputs: Rig.ints(object["outputs"]),
                    readable: Rig.ints(object["readable"]), writable: Rig.ints(object["writable"]),
                    exceptional: Rig.ints(object["exceptional"]))))
                namer = current
            }
        }
        return trace
    }

    /// `selectscope server --trace`: SPEC §4 records. A call woken only by the program's
    /// own pipe (the stop signal) is not one of the exercise's calls and is left out.
    static func selectscope(_ lines: [String]) -> OracleTrace {
        var trace = OracleTrace()
        var namer: FDNamer?
        for line in lines {
            guard let object = Rig.json(line), let listener = object["listener"] as? Int else { continue }
            trace.ready = true
            if namer == nil { namer = FDNamer(listener: listener) }
            let readable = Rig.ints(object["readable"]), writable = Rig.ints(object["writable"])
            let exceptional = Rig.ints(object["exceptional"])
            let internalOnly = !Rig.ints(object["internal_ready"]).isEmpty
                && readable.isEmpty && writable.isEmpty && exceptional.isEmpty
            if !internalOnly {
                trace.items.append(.call(namer!.call(
                    inputs: Rig.ints(object["inputs"]), outputs: Rig.ints(object["outputs"]),
                    readable: readable, writable: writable, exceptional: exceptional)))
            }
            for event in (object["events"] as? [[String: Any]]) ?? [] where event["kind"] as? String == "close" {
                if let fd = event["fd"] as? Int { namer!.forget(fd) }
                trace.items.append(.closed)
            }
        }
        return trace
    }
}

private let messages = 3
private let pause = "0.3"

/// Issue 2, Done-when 1: the seed's own client against the seed's server N and against
/// `selectscope server --mode N` gives the same client output and the same sequence of
/// select() calls. The scenario is made deterministic: one client, messages 0.3 s apart,
/// and each step waits for the server to have finished the previous one.
@Suite("seed oracle: the seed's own server and client vs selectscope")
struct SeedOracle {
    enum Subject: String { case seed, selectscope }

    struct Outcome {
        var trace: OracleTrace
        var clientOutput: String
        /// The server's stdout: the seed's prints, or `--log text`.
        var serverLog: String
        var transcript: String
        var port: Int
    }

    /// A server log with fds and ports renamed: the listener's fd L and port LPORT,
    /// connections C1… and their ports P1… in order of appearance.
    static func normalizedLog(_ log: String, listenPort: Int) -> [String] {
        var fdNames: [String: String] = [:]
        var portNames: [String: String] = [String(listenPort): "LPORT"]
        var lines: [String] = []
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            var text = String(line)
            for pattern in ["fd=", "'127.0.0.1', "] {
                var out = ""
                var rest = Substring(text)
                while let range = rest.range(of: pattern) {
                    out += rest[..<range.upperBound]
                    rest = rest[range.upperBound...]
                    let digits = rest.prefix { $0.isNumber }
                    rest = rest.dropFirst(digits.count)
                    let key = String(digits)
                    if pattern == "fd=" {
                        // The listener is the first fd the log names (its first readable line).
                        let name = fdNames[key] ?? (fdNames.isEmpty ? "L" : "C\(fdNames.count)")
                        fdNames[key] = name
                        out += name
                    } else {
                        let name = portNames[key] ?? "P\(portNames.count)"
                        portNames[key] = name
                        out += name
                    }
                }
                text = out + rest
            }
            lines.append(text)
        }
        return lines
    }

    @Test("same select() sequence and same client output as the seed",
          .enabled(if: Rig.python != nil, "needs python3"),
          arguments: 1...5)
    func sameAsSeed(mode: Int) throws {
        // The two runs are independent (own ports, own processes): run them side by side.
        let seedResult = Rig.Guarded<Result<Outcome, Error>?>(nil)
        let worker = Thread { seedResult.modify { $0 = Result { try Self.run(.seed, mode: mode) } } }
        worker.start()
        let ours = try Self.run(.selectscope, mode: mode)
        #expect(Rig.waitUntil(timeout: 60) { seedResult.read { $0 != nil } }, "the seed run did not finish")
        let seed = try #require(seedResult.read { $0 }).get()

        #expect(seed.trace.crashes.isEmpty, "the seed crashed: \(seed.trace.crashes)")
        // Sanity: the scenario did what it says, so equal sequences mean something.
        let expectedOutput = mode == 1 ? "" : String(repeating: "b'Hello, world'\n", count: messages)
        #expect(seed.clientOutput == expectedOutput, "seed client printed \(seed.clientOutput.debugDescription)")
        #expect(seed.trace.closes == 1)
        #expect(seed.trace.calls.count >= 2 + messages)

        #expect(ours.clientOutput == seed.clientOutput)
        #expect(ours.trace.closes == seed.trace.closes)
        let seedCalls = seed.trace.calls.map(\.description)
        let ourCalls = ours.trace.calls.map(\.description)
        #expect(ourCalls == seedCalls, """
            select() sequences differ in mode \(mode)
            seed:
              \(seedCalls.joined(separator: "\n  "))
            selectscope:
              \(ourCalls.joined(separator: "\n  "))
            \(ours.transcript)
            """)
        let seedLog = Self.normalizedLog(seed.serverLog, listenPort: seed.port)
        let ourLog = Self.normalizedLog(ours.serverLog, listenPort: ours.port)
        #expect(ourLog == seedLog, """
            --log text differs from the seed's prints in mode \(mode)
            seed:
              \(seedLog.joined(separator: "\n  "))
            selectscope:
              \(ourLog.joined(separator: "\n  "))
            """)
        if mode == 5 {
            // The timeout behaviour: one idle timeout before the client, one after it left.
            #expect(seed.trace.timeouts == 2 && ours.trace.timeouts == 2,
                    "timeouts: seed \(seed.trace.timeouts), selectscope \(ours.trace.timeouts): \(seedCalls)")
            #expect(seed.trace.calls.first?.isTimeout == true && seed.trace.calls.last?.isTimeout == true)
        } else {
            #expect(ours.trace.timeouts == 0 && seed.trace.timeouts == 0)
        }
    }

    static func run(_ subject: Subject, mode: Int) throws -> Outcome {
        let python = try #require(Rig.python)
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let traceURL = folder.appendingPathComponent("\(subject.rawValue)-\(mode).jsonl")
        let port = try Rig.freePort()
        let oracle = Rig.oracleFolder

        let server: SpawnedProcess
        switch subject {
        case .seed:
            let code = try Rig.homeworkProgram(exercise: mode, part: "server", port: port, in: folder)
            server = try SpawnedProcess(python, [
                oracle.appendingPathComponent("seed_server.py").path, code.path, traceURL.path,
            ], name: "seed server \(mode)")
        case .selectscope:
            server = try SpawnedProcess.selectscope([
                "server", "--mode", String(mode), "--host", "127.0.0.1", "--port", String(port),
                "--log", "text", "--trace", traceURL.path,
            ])
        }
        defer { server.stop() }
        let parse: () -> OracleTrace = {
            subject == .seed ? OracleTrace.seed(Rig.lines(of: traceURL)) : OracleTrace.selectscope(Rig.lines(of: traceURL))
        }
        let context = { "\(subject.rawValue) server, mode \(mode):\n\(server.transcript)" }

        switch subject {
        case .seed:
            try #require(Rig.waitUntil(timeout: 15) { parse().ready }, "not listening: \(context())")
        case .selectscope:
            try #require(server.waitForStderr(containing: "listening on", timeout: 15), "not listening: \(context())")
        }
        if mode == 5 {
            // Start from a known point of the 2 s cadence: right after the first timeout.
            try #require(Rig.waitUntil(timeout: 6) { parse().timeouts >= 1 }, "no first timeout: \(context())")
        }

        let clientCode = try Rig.homeworkProgram(exercise: mode, part: "client", port: port, in: folder)
        let client = try SpawnedProcess(python, [
            oracle.appendingPathComponent("seed_client.py").path, clientCode.path, String(messages), pause,
        ], name: "seed client \(mode)")
        let status = client.waitForExit(timeout: 30)
        try #require(status == 0, "seed client against \(subject.rawValue) ended with \(String(describing: status)): \(client.transcript)\n\(context())")
        try #require(Rig.waitUntil(timeout: 10) { parse().closes >= 1 }, "the connection was never closed: \(context())")
        if mode == 5 {
            try #require(Rig.waitUntil(timeout: 6) { parse().timeoutsAfterClose >= 1 }, "no timeout after the client left: \(context())")
        }
        server.stop()
        return Outcome(trace: parse(), clientOutput: client.stdout,
                       serverLog: server.stdout, transcript: context(), port: port)
    }
}
