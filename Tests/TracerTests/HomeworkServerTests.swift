import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, Done-when 1: the homework's five servers, unmodified (the port moved by
/// `--port`), run with python3 under `selectscope trace` and driven by the homework's own
/// clients: the traced result lists equal, call by call, the lists each program prints
/// about itself — the same fd numbers, since it is the same process.
@Suite("tracer: the homework's five servers under selectscope trace")
struct HomeworkServerTests {
    static let messages = 3

    @Test("each record carries what the program did about that call's result, as the built-in server's do",
          .enabled(if: Rig.python != nil, "needs python3"))
    func eventsBelongToTheCallTheyAnswer() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Exercise 3 echoes straight from the read branch: accept, then recv and send.
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()
        let client = try LoopbackClient(port: port)
        try client.send(Array("Hello, world".utf8))
        #expect(try client.receive(exactly: 12) == Array("Hello, world".utf8))
        client.close()
        // The call that saw the EOF is handed on once the program is back in select().
        #expect(Rig.waitUntil(timeout: 15) { run.records.contains { Self.kinds($0).contains("close") } }, "\(run.process.transcript)")
        let records = run.records
        let listener = records.first?["listener"] as? Int ?? -1
        let acceptCall = try #require(records.first { Rig.ints($0["readable"]) == [listener] })
        // The first call's record also says how the listener was set up (its listen()).
        #expect(Self.kinds(acceptCall) == ["listen", "accept"], "\(acceptCall)")
        let connection = try #require((acceptCall["events"] as? [[String: Any]])?.last?["fd"] as? Int)
        let echoCall = try #require(records.first { Rig.ints($0["readable"]) == [connection] })
        #expect(Self.kinds(echoCall) == ["recv", "send"], "\(echoCall)")
        let closeCall = try #require(records.last { Self.kinds($0).contains("close") })
        #expect(Rig.ints(closeCall["readable"]) == [connection], "\(closeCall)")
    }

    @Test("the text log gives each call, then what the program did about it; a launcher's helpers go unnamed",
          .enabled(if: Rig.python != nil, "needs python3"))
    func textLogReadsInCallOrder() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], log: true, folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()
        let client = try LoopbackClient(port: port)
        try client.send(Array("Hello, world".utf8))
        #expect(try client.receive(exactly: 12) == Array("Hello, world".utf8))
        client.close()
        let traced: () -> [Substring] = { run.process.stdout.split(separator: "\n").filter { $0.hasPrefix("trace: ") } }
        #expect(Rig.waitUntil(timeout: 15) { traced().contains { $0.hasPrefix("trace: closing") } }, "\(run.process.transcript)")
        let lines = traced()
        // Only the program that made traced calls is named, not the shells and readlinks
        // a launcher (pyenv's python3 shim) runs before it.
        let execs = lines.filter { $0.contains(" now runs ") }
        #expect(execs.count <= 1 && execs.allSatisfy { $0.contains("python") }, "\(lines)")
        let accept = try #require(lines.firstIndex { $0.hasPrefix("trace: connection from") }, "\(lines)")
        // The nearest call line above each event is the call it answers.
        let callAbove: (Int) -> Substring? = { index in lines[..<index].last { $0.contains(" -> ") } }
        #expect(callAbove(accept)?.contains("-> readable [3]") == true, "\(lines)")
        let received = try #require(lines.firstIndex { $0.hasPrefix("trace: received") }, "\(lines)")
        #expect(callAbove(received)?.contains("-> readable [4]") == true, "\(lines)")
    }

    static func kinds(_ record: [String: Any]) -> [String] {
        ((record["events"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
    }

    @Test("traced readable/writable/exceptional equal the program's own prints, call by call",
          .enabled(if: Rig.python != nil, "needs python3"), arguments: 1...5)
    func tracedListsEqualPrintedLists(exercise: Int) throws {
        try check(exercise: exercise, reading: .stops)
    }

    @Test("read in the kernel, the lists equal the program's own prints too",
          .enabled(if: Rig.python != nil, "needs python3"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"), arguments: 1...5)
    func kernelReadListsEqualPrintedLists(exercise: Int) throws {
        try check(exercise: exercise, reading: .kernel)
    }

    private func check(exercise: Int, reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: exercise, part: "server", port: nil, in: folder)
        // `python3` from PATH: here a pyenv shim, a bash script that forks helpers and then
        // execs the interpreter, so the tracer has to follow forks and execs to find the loop.
        let run = try TraceRun(["--port", "0"] + reading.arguments, command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()

        let client = try SpawnedProcess(Rig.python!, [Rig.oracleFolder.appendingPathComponent("seed_client.py").path,
                                                      try Rig.homeworkProgram(exercise: exercise, part: "client", port: port, in: folder).path,
                                                      String(Self.messages), "0.3"], name: "client")
        defer { client.stop(grace: 1) }
        #expect(client.waitForExit(timeout: 60) == 0, "client: \(client.transcript)")
        let output = { run.process.stdout }

        // The client closed: the server saw the EOF and said `closing`.
        #expect(Rig.waitUntil(timeout: 15) { output().contains("closing") }, "\(run.process.transcript)")
        let serverRecords = { run.records.filter { ($0["listener"] as? Int ?? -1) >= 0 } }

        if exercise == 5 {
            // Exercise 5 prints only `timeout` for an empty result (its 2 s timeout).
            let settled = Rig.waitUntil(timeout: 15) {
                let timeouts = output().split(separator: "\n").filter { $0 == "timeout" }.count
                let empty = serverRecords().filter { ReadyLists(record: $0, withInterest: false) == ReadyLists(readable: [], writable: [], exceptional: []) }.count
                return timeouts >= 1 && timeouts == empty
            }
            #expect(settled, "timeouts printed vs empty records:\n\(run.process.transcript)")
            for record in serverRecords() { #expect(record["timeout"] as? Double == 2.0) }
        } else {
            let settled = Rig.waitUntil(timeout: 15) {
                ReadyLists.python(output()).count == serverRecords().count && !serverRecords().isEmpty
            }
            let printed = ReadyLists.python(output())
            let traced = serverRecords().map { ReadyLists(record: $0, withInterest: false) }
            #expect(settled, "printed \(printed.count) calls, traced \(traced.count)")
            #expect(traced == printed, "traced:\n\(traced.map(\.description).joined(separator: "\n"))\nprinted:\n\(printed.map(\.description).joined(separator: "\n"))")
            // The seed calls select(inputs, outputs, inputs): exceptfds as passed in is inputs.
            for record in serverRecords() {
                let traced = record["traced"] as? [String: Any]
                #expect(traced?["call"] as? String == "pselect6")
                #expect(Rig.ints(traced?["except_in"]) == Rig.ints(record["inputs"]))
            }
        }

        // The socket calls became events in the seed's words (when they are traced).
        guard reading == .stops else {
            #expect(serverRecords().allSatisfy { ($0["events"] as? [[String: Any]] ?? []).allSatisfy { $0["kind"] as? String == "listen" } })
            return
        }
        let events = serverRecords().flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
        let accepts = events.filter { $0["kind"] as? String == "accept" }
        #expect(accepts.count == 1 && (accepts.first?["peer"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(events)")
        let received = events.filter { $0["kind"] as? String == "recv" && $0["data"] as? String == "b'Hello, world'" }
        // The last message's recv is attached to the call after it, which may still be waiting.
        #expect(received.count >= Self.messages - 1, "\(events)")
        if exercise != 1 {
            let sent = events.filter { $0["kind"] as? String == "send" && $0["bytes"] as? Int == 12 }
            #expect(sent.count >= Self.messages - 1, "\(events)")
        }
    }
}
