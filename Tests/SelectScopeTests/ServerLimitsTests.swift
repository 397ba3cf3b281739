import LoopbackTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The server's limits from the outside: bounds on the queue options, and a server out of
/// file descriptors that backs its listener off instead of spinning.
@Suite("selectscope server: limits")
struct ServerLimitsTests {
    @Test("--queue-cap and --queue-budget above 1 GiB (or a budget under 1 KiB) are refused with a message",
          arguments: [
            (["server", "--queue-cap", "9223372036854775807"], "--queue-cap must be at most"),
            (["server", "--queue-budget", "2147483648"], "--queue-budget must be between"),
            (["server", "--queue-budget", "512"], "--queue-budget must be between"),
            (["--queue-budget", "5000000000"], "--queue-budget must be between"),
          ])
    func queueBounds(arguments: [String], message: String) throws {
        let process = try SpawnedProcess.selectscope(arguments + ["--port", "0"])
        let status = process.waitForExit(timeout: 15)
        #expect(status != nil && status != 0, "exit status \(String(describing: status)): \(process.transcript)")
        #expect(process.stderr.contains(message), "\(process.stderr)")
        #expect(!process.stderr.contains("listening on"))
    }

    @Test("--queue-budget within bounds is taken")
    func queueBudgetAccepted() throws {
        let (server, _) = try Rig.startServer(["--mode", "1", "--log", "none", "--queue-budget", "1048576"])
        #expect(server.stop() == 0, "\(server.transcript)")
    }

    static let prlimit = "/usr/bin/prlimit"

    /// Sets the soft RLIMIT_NOFILE of a running process (prlimit(1), as a user would).
    static func setSoftFileLimit(pid: pid_t, _ value: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prlimit)
        process.arguments = ["--pid", String(pid), "--nofile=\(value):"]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "prlimit --pid \(pid) --nofile=\(value): failed")
    }

    static func softFileLimit(pid: pid_t) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("Max open files") }
        return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.map(String.init)
    }

    /// Out of descriptors with the spare one gone too: the soft limit is lowered under the
    /// spare's own fd, so closing the spare frees nothing the server may use. The listener
    /// stays readable for ever; before, every call returned at once and the loop spun.
    @Test("out of descriptors with no spare: the listener backs off (a few calls a second), and comes back",
          .enabled(if: FileManager.default.isExecutableFile(atPath: ServerLimitsTests.prlimit), "needs prlimit(1)"),
          arguments: ["select", "epoll"])
    func listenerBacksOff(backend: String) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let traceURL = folder.appendingPathComponent("emfile.jsonl")
        let (server, port) = try Rig.startServer(["--mode", "1", "--backend", backend, "--log", "none", "--trace", traceURL.path])
        defer { server.stop() }
        let original = try #require(Self.softFileLimit(pid: server.pid))
        try Self.setSoftFileLimit(pid: server.pid, "4")

        let client = try LoopbackClient(port: port)
        defer { client.close() }
        func events(_ kind: String) -> [[String: Any]] {
            Rig.lines(of: traceURL).compactMap(Rig.json).flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
                .filter { $0["kind"] as? String == kind }
        }
        #expect(Rig.waitUntil(timeout: 10) { !events("listener-paused").isEmpty }, "no back-off: \(Rig.lines(of: traceURL).suffix(3))")
        let paused = try #require(events("listener-paused").first)
        #expect(paused["detail"] as? String == "EMFILE")
        #expect(!events("refused").isEmpty)

        // Saturated: count the calls over two seconds (a measurement, not a wait).
        let start = Rig.lines(of: traceURL).count
        let began = Rig.now()
        usleep(2_000_000)
        let calls = Rig.lines(of: traceURL).count - start
        let rate = Double(calls) / (Rig.now() - began)
        #expect(rate < 15, "\(calls) calls in 2 s while out of descriptors")
        #expect(server.isRunning)
        // While backed off, the listener is not in `inputs` and the call has a short timeout.
        let backedOff = Rig.lines(of: traceURL).compactMap(Rig.json).last { !Rig.ints($0["inputs"]).contains(3) }
        #expect((backedOff?["timeout"] as? NSNumber).map { $0.doubleValue > 0 && $0.doubleValue <= 0.5 } == true)

        // Descriptors again: the spare is re-armed, the listener is back, the client accepted.
        try Self.setSoftFileLimit(pid: server.pid, original)
        #expect(Rig.waitUntil(timeout: 10) { !events("accept").isEmpty }, "never accepted: \(Rig.lines(of: traceURL).suffix(3))")
        #expect(!events("listener-resumed").isEmpty)
        #expect(server.stop() == 0, "\(server.transcript)")
    }
}
