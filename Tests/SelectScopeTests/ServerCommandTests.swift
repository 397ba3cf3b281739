import LoopbackTesting
import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

private let hello = Array("Hello, world".utf8)

@Suite("selectscope server")
struct ServerCommandTests {
    @Test("a busy port: exit status 1 and a message that names the port",
          arguments: ["127.0.0.1", "localhost"])
    func busyPort(host: String) throws {
        let holder = try Rig.Listener()
        let server = try SpawnedProcess.selectscope(["server", "--host", host, "--port", String(holder.port), "--log", "none"])
        let status = server.waitForExit(timeout: 15)
        #expect(status == 1, "exit status \(String(describing: status)): \(server.transcript)")
        #expect(server.stderr.contains(String(holder.port)), "stderr does not name port \(holder.port): \(server.stderr)")
        #expect(server.stderr.contains("already in use"), "\(server.stderr)")
        #expect(!server.stderr.contains("listening on"))
    }

    @Test("--log text prints the seed's lines, and `closing` names the peer that closed")
    func textLog() throws {
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "text"])
        defer { server.stop() }
        func tuple(_ client: LoopbackClient) -> String { "('127.0.0.1', \(client.localPort))" }

        let first = try LoopbackClient(port: port)
        try first.send(hello)
        #expect(try first.receive(exactly: 12) == hello)
        #expect(server.waitForStdout(containing: "output queue for \(tuple(first)) is empty"), "\(server.transcript)")

        let second = try LoopbackClient(port: port)
        try second.send(hello)
        #expect(try second.receive(exactly: 12) == hello)
        #expect(server.waitForStdout(containing: "output queue for \(tuple(second)) is empty"), "\(server.transcript)")

        // The first client leaves: the seed would print the last accepted address (the second).
        first.close()
        #expect(server.waitForStdout(containing: "closing \(tuple(first))"), "\(server.transcript)")
        #expect(!server.stdout.contains("closing \(tuple(second))"), "closing named the wrong peer:\n\(server.stdout)")

        let lines = server.stdout.split(separator: "\n").map(String.init)
        func index(_ text: String) -> Int? { lines.firstIndex { $0 == text } }
        let listenerSocket = "<socket.socket fd="
        #expect(lines.first?.hasPrefix("readable: [\(listenerSocket)") == true, "first line: \(lines.first ?? "")")
        #expect(lines.first?.contains("laddr=('127.0.0.1', \(port))") == true)
        #expect(lines.contains { $0.hasPrefix("writable: [") })
        #expect(lines.contains { $0.hasPrefix("exceptional: [") })
        // The seed's order for one exchange.
        let order = [
            "connection from \(tuple(first))",
            "received b'Hello, world' from \(tuple(first))",
            "sending b'Hello, world' to \(tuple(first))",
            "output queue for \(tuple(first)) is empty",
            "connection from \(tuple(second))",
            "closing \(tuple(first))",
        ]
        let positions = order.map(index)
        #expect(!positions.contains(nil), "missing lines: \(zip(order, positions).filter { $0.1 == nil }.map(\.0))\n\(server.stdout)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "lines out of order:\n\(server.stdout)")
        // A connection's lists print the way Python prints a connected socket.
        #expect(lines.contains { $0.hasPrefix("readable: [") && $0.contains("raddr=\(tuple(first))") })
        second.close()
    }

    @Test("SIGINT and SIGTERM end it with status 0; the port is free again at once",
          arguments: [SIGINT, SIGTERM])
    func signalsEndCleanly(signal: Int32) throws {
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "none"])
        // A live connection, so the server closes an established socket on the way out.
        let client = try LoopbackClient(port: port)
        try client.send(hello)
        #expect(try client.receive(exactly: 12) == hello)

        let sent = Rig.now()
        server.signal(signal)
        let status = server.waitForExit(timeout: 5)
        #expect(status == 0, "exit status \(String(describing: status)) after signal \(signal): \(server.transcript)")
        #expect(Rig.now() - sent < 2, "took \(Rig.now() - sent) s to exit")
        #expect(client.waitForClose(timeout: 5), "the client's connection was not closed")

        // Same port, immediately: SO_REUSEADDR.
        let (again, againPort) = try Rig.startServer(["--mode", "2", "--log", "none", "--port", String(port)])
        #expect(againPort == port)
        let next = try LoopbackClient(port: port)
        try next.send(hello)
        #expect(try next.receive(exactly: 12) == hello)
        #expect(again.stop() == 0, "\(again.transcript)")
    }

    @Test("mode 5 keeps a 2 s cadence over 5 idle timeouts, followed live in the trace")
    func modeFiveCadence() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let traceURL = folder.appendingPathComponent("cadence.jsonl")
        let (server, _) = try Rig.startServer(["--mode", "5", "--log", "text", "--trace", traceURL.path])
        defer { server.stop() }

        // Follow the file while the server runs: note when each record shows up.
        var arrivals: [Double] = []
        var records: [[String: Any]] = []
        let start = Rig.now()
        let done = Rig.waitUntil(timeout: 16, interval: 0.01) {
            let lines = Rig.lines(of: traceURL)
            while records.count < lines.count {
                if let object = Rig.json(lines[records.count]) { records.append(object) } else { break }
                arrivals.append(Rig.now())
            }
            return records.count >= 5
        }
        #expect(done, "only \(records.count) records in \(Rig.now() - start) s")
        #expect(server.isRunning)
        let five = Array(records.prefix(5))
        for record in five {
            let events = (record["events"] as? [[String: Any]]) ?? []
            #expect(events.map { $0["kind"] as? String } == ["timeout"], "not a timeout: \(record)")
            #expect(Rig.ints(record["readable"]).isEmpty)
            #expect((record["timeout"] as? NSNumber)?.doubleValue == 2.0)
            let blocked = (record["blocked_ms"] as? NSNumber)?.doubleValue ?? 0
            #expect(blocked >= 1800 && blocked <= 2600, "blocked \(blocked) ms")
        }
        // The server's own clock: `t` is when a call began, `blocked_ms` how long it waited;
        // each call's fresh 2 s wait ends about 2 s after the previous one ended.
        let ends = five.compactMap { record -> Double? in
            guard let t = (record["t"] as? NSNumber)?.doubleValue, let blocked = (record["blocked_ms"] as? NSNumber)?.doubleValue else { return nil }
            return t + blocked / 1000
        }
        try #require(ends.count == 5)
        let gaps = [ends[0]] + zip(ends.dropFirst(), ends).map { $0 - $1 }
        for gap in gaps {
            #expect(gap >= 1.8 && gap <= 2.6, "gap \(gap) s in \(gaps)")
        }
        // Flushed per record: each line was readable about when it happened, not at the end.
        let arrivalGaps = zip(arrivals.dropFirst().prefix(4), arrivals.prefix(4)).map { $0 - $1 }
        for gap in arrivalGaps {
            #expect(gap >= 1.5 && gap <= 3.0, "records reached the file \(arrivalGaps) s apart")
        }
        #expect(server.stop() == 0)
        let timeoutLines = server.stdout.split(separator: "\n").filter { $0 == "timeout" }
        #expect(timeoutLines.count >= 5, "text log: \(server.stdout)")
        #expect(!server.stdout.contains("readable:"), "mode 5 prints only `timeout`, as the seed does")
    }

    /// SPEC §1: SIGPIPE never kills the process. Clients that send a lot and close without
    /// reading get an RST out of their kernel at the first echo; the server's next send of
    /// their queue then fails with EPIPE/ECONNRESET, which must close that connection only.
    @Test("SIGPIPE never kills the server: peers that vanish mid-echo are closed, others served",
          arguments: [2, 3, 4])
    func noSIGPIPE(mode: Int) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let traceURL = folder.appendingPathComponent("sigpipe.jsonl")
        let (server, port) = try Rig.startServer(["--mode", String(mode), "--log", "none", "--trace", traceURL.path])
        defer { server.stop() }
        let burst = [UInt8](repeating: 0x41, count: 64 * 1024)
        for _ in 0..<20 {
            let client = try LoopbackClient(port: port)
            try client.send(burst)
            client.close()
        }
        func closes() -> [[String: Any]] {
            Rig.lines(of: traceURL).compactMap(Rig.json).flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
                .filter { $0["kind"] as? String == "close" }
        }
        #expect(Rig.waitUntil(timeout: 20) { closes().count >= 20 }, "only \(closes().count) of 20 closed")
        #expect(server.isRunning, "the server died: \(server.transcript)")
        // The path under test was taken: some send (or recv) failed on a vanished peer.
        #expect(closes().contains { $0["reason"] as? String == "error" }, "no close on error: \(closes())")
        let next = try LoopbackClient(port: port)
        try next.send(hello)
        #expect(try next.receive(exactly: 12) == hello)
        #expect(server.stop() == 0, "\(server.transcript)")
    }
}
