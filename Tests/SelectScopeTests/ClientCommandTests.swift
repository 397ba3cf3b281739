import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

@Suite("selectscope client, and wrong flags")
struct ClientCommandTests {
    @Test("--kind echo --count 3 prints exactly three b'Hello, world' lines", arguments: [2, 3, 4, 5])
    func echoCount(mode: Int) throws {
        let (server, port) = try Rig.startServer(["--mode", String(mode), "--log", "none"])
        defer { server.stop() }
        let client = try SpawnedProcess.selectscope([
            "client", "--kind", "echo", "--count", "3", "--interval", "0.05", "--host", "127.0.0.1", "--port", String(port),
        ])
        let status = client.waitForExit(timeout: 15)
        #expect(status == 0, "\(client.transcript)")
        #expect(client.stdout == "b'Hello, world'\nb'Hello, world'\nb'Hello, world'\n", "\(client.transcript)")
    }

    @Test("--kind sender (mode 1) sends --count messages, reads nothing, prints nothing on stdout")
    func senderCount() throws {
        let (server, port) = try Rig.startServer(["--mode", "1", "--log", "text"])
        defer { server.stop() }
        let client = try SpawnedProcess.selectscope([
            "client", "--kind", "sender", "--count", "2", "--interval", "0.05", "--host", "127.0.0.1", "--port", String(port),
        ])
        #expect(client.waitForExit(timeout: 15) == 0, "\(client.transcript)")
        #expect(client.stdout.isEmpty)
        #expect(server.waitForStdout(containing: "closing ("), "\(server.transcript)")
        // Two messages arrived (one recv may hold both: count the words, not the lines).
        let received = server.stdout.split(separator: "\n").filter { $0.hasPrefix("received b'") }
            .map { $0.components(separatedBy: "Hello, world").count - 1 }.reduce(0, +)
        #expect(received == 2, "\(server.stdout)")
        #expect(!server.stdout.contains("sending"), "mode 1 never sends")
    }

    @Test("--kind reset makes the server log a close for that client")
    func resetClient() throws {
        let (server, port) = try Rig.startServer(["--mode", "2", "--log", "text"])
        defer { server.stop() }
        let client = try SpawnedProcess.selectscope([
            "client", "--kind", "reset", "--host", "127.0.0.1", "--port", String(port),
        ])
        #expect(client.waitForExit(timeout: 15) == 0, "\(client.transcript)")
        // "reset connected from 127.0.0.1:PORT" on the client's stderr names its port.
        let clientPort = client.stderr.split(separator: "\n")
            .first { $0.contains("connected from") }
            .flatMap { line in line.split(separator: ":").last.flatMap { Int($0) } }
        let port0 = try #require(clientPort, "client stderr: \(client.stderr)")
        #expect(server.waitForStdout(containing: "closing ('127.0.0.1', \(port0))"), "\(server.transcript)")
        #expect(server.waitForStdout(containing: "connection from ('127.0.0.1', \(port0))"))
        #expect(server.isRunning)
    }

    @Test("a flood client ended while the server has stopped reading it is seen to go at once (it resets)")
    func endedFloodClientIsClosed() throws {
        let (server, port) = try Rig.startServer(["--mode", "1", "--log", "text"])
        defer { server.stop() }
        let client = try SpawnedProcess.selectscope(["client", "--kind", "flood", "--host", "127.0.0.1", "--port", String(port)])
        defer { client.stop() }
        // Mode 1 never sends: the flood reaches the queue cap and the server stops reading it.
        #expect(server.waitForStdout(containing: "paused reading", timeout: 20),
                "the flood never reached the cap: \(server.transcript)")
        client.signal(SIGTERM)
        #expect(client.waitForExit(timeout: 10) != nil, "\(client.transcript)")
        // Its FIN would wait behind bytes the server never takes; a reset is seen at once.
        #expect(server.waitForStdout(containing: "closing (", timeout: 10), "the ended flood client was never closed: \(server.transcript)")
    }

    @Test("a wrong flag exits non-zero with a message that says what is wrong",
          arguments: [
            (["client", "--kind", "nope"], "The value 'nope' is invalid for '--kind <kind>'"),
            (["server", "--mode", "9"], "The value '9' is invalid for '--mode <mode>'. Please provide one of '1', '2', '3', '4' or '5'."),
            (["server", "--log", "loud"], "The value 'loud' is invalid for '--log <log>'"),
            (["server", "--port", "70000"], "--port must be between 0 and 65535"),
          ])
    func wrongFlags(arguments: [String], message: String) throws {
        let process = try SpawnedProcess.selectscope(arguments)
        let status = process.waitForExit(timeout: 15)
        #expect(status != nil && status != 0, "exit status \(String(describing: status))")
        #expect(process.stderr.contains(message), "\(process.transcript)")
        #expect(!process.stderr.contains("listening on"))
        if arguments.contains("nope") { #expect(process.stderr.contains("nope")) }
    }

    @Test("a client with nobody listening exits 1 and names the port")
    func nobodyListening() throws {
        let port = try Rig.freePort()
        let client = try SpawnedProcess.selectscope(["client", "--kind", "echo", "--host", "127.0.0.1", "--port", String(port)])
        #expect(client.waitForExit(timeout: 15) == 1, "\(client.transcript)")
        #expect(client.stderr.contains(String(port)), "\(client.stderr)")
    }
}
