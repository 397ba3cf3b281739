import Foundation
import LoopbackTesting
import SelectCore
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11's diagnoses, end to end: small broken servers run with python3 under
/// `selectscope trace --trace FILE`; replaying that file through the one reducer finds each
/// bug with its evidence, and the homework's own servers get none of the loop's bugs (only
/// exercises 3 and 5 are told they forget SO_REUSEADDR, which they do).
@Suite("diagnoses of a traced program, from its trace")
struct DiagnosisTests {
    /// The findings of a replay of everything the trace file holds so far.
    static func diagnoses(_ run: TraceRun) -> [LoopDiagnosis] {
        reduced(run).diagnoses
    }

    static func reduced(_ run: TraceRun) -> (diagnoses: [LoopDiagnosis], records: [StepRecord]) {
        let text = Rig.lines(of: run.traceFile).joined(separator: "\n")
        let file = TraceReader.parse(Data(text.utf8))
        var reducer = SnapshotReducer()
        for record in file.records { reducer.apply(record) }
        return (reducer.snapshot().diagnoses, file.records)
    }

    /// Copies a program (and the module the grader's variants import) into `folder`.
    static func program(_ path: String, in folder: URL, with companions: [String] = []) throws -> URL {
        for file in [path] + companions {
            let source = Rig.packageRoot.appendingPathComponent(file)
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
        }
        return folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
    }

    static func acceptedFD(_ records: [StepRecord]) -> Int32? {
        records.lazy.flatMap(\.events).first { $0.kind == .accept }?.fd
    }

    @Test("an fd left in outputs with nothing sent: a spin, its fd, its start and its calls/s, said once in the log",
          .enabled(if: Rig.python != nil, "needs python3"))
    func writableSpin() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Self.program("Tests/GraderTests/Submissions/spins.py", in: folder,
                                      with: ["Tests/GraderTests/Submissions/good_server.py"])
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], log: true, folder: folder)
        defer { run.end() }
        let client = try LoopbackClient(port: try run.waitForPort())
        defer { client.close() }
        try client.send("Hello, world")
        #expect(try client.receiveString(count: 12) == "Hello, world")
        let spun = Rig.waitUntil(timeout: 20) { Self.diagnoses(run).contains { $0.kind == .writableSpin && $0.calls >= 200 } }
        #expect(spun, "\(Self.diagnoses(run))\n\(run.process.stderr)")
        let (found, records) = Self.reduced(run)
        let spin = try #require(found.first { $0.kind == .writableSpin })
        #expect(spin.fd == Self.acceptedFD(records) && spin.ongoing)
        // It began right after the echo: the call whose record has the send.
        let echoed = try #require(records.first { $0.events.contains { $0.kind == .send } })
        #expect(spin.since == echoed.seq + 1, "\(spin)")
        #expect((spin.callsPerSecond ?? 0) > 100, "a busy loop: \(spin)")
        #expect(found.allSatisfy { $0.kind == .writableSpin }, "\(found)")
        let said = run.process.stdout.split(separator: "\n").filter { $0.hasPrefix("trace: bug: fd \(spin.fd) spins:") }
        #expect(said.count == 1, "\(said)")
    }

    @Test("recv returned b'' and the program read on: a read after the end of stream",
          .enabled(if: Rig.python != nil, "needs python3"))
    func readAfterEndOfStream() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Self.program("Tests/TracerTests/Programs/reads_after_eof.py", in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let client = try LoopbackClient(port: try run.waitForPort())
        try client.send("Hello, world")
        #expect(try client.receiveString(count: 12) == "Hello, world")
        client.shutdownWrite()
        defer { client.close() }
        let found = Rig.waitUntil(timeout: 20) { Self.diagnoses(run).contains { $0.kind == .readAfterEOF && $0.calls >= 10 } }
        #expect(found, "\(Self.diagnoses(run))\n\(run.process.stderr)")
        let (diagnoses, records) = Self.reduced(run)
        let read = try #require(diagnoses.first { $0.kind == .readAfterEOF })
        let end = try #require(records.first { $0.events.contains(where: \.isEndOfStream) })
        #expect(read.fd == Self.acceptedFD(records) && read.since == end.seq && read.found == end.seq + 1)
        #expect(read.proof == .readAgain && read.ongoing)
        #expect(diagnoses.count == 1, "\(diagnoses)")
    }

    @Test("a short send whose rest the program drops: the bytes left and the calls",
          .enabled(if: Rig.python != nil, "needs python3"))
    func unsentRest() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Self.program("Tests/TracerTests/Programs/drops_unsent_rest.py", in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        // A client that sends a lot and reads nothing for now: the echo fills the buffers.
        let client = try LoopbackClient(port: try run.waitForPort(), receiveBuffer: 4096)
        defer { client.close() }
        // Bytes that differ from one KiB to the next, so a new message never looks like a rest.
        try client.send((0..<256 * 1024).map { UInt8($0 % 251) })
        let short = Rig.waitUntil(timeout: 20) { Self.reduced(run).records.contains { $0.events.contains(where: \.isShortSend) } }
        #expect(short, "\(run.process.stderr)")
        client.shutdownWrite()
        #expect(client.waitForClose(timeout: 20), "the program closes at the end of stream")
        let found = Rig.waitUntil(timeout: 20) { Self.diagnoses(run).contains { $0.kind == .unsentRest } }
        #expect(found, "\(Self.diagnoses(run))")
        let (diagnoses, records) = Self.reduced(run)
        let lost = try #require(diagnoses.first { $0.kind == .unsentRest })
        let first = try #require(records.first { $0.events.contains(where: \.isShortSend) })
        #expect(lost.fd == Self.acceptedFD(records) && lost.since == first.seq && lost.found > lost.since, "\(lost)")
        let shortSend = try #require(first.events.first { $0.isShortSend })
        #expect(lost.bytesLeft == shortSend.requested - shortSend.bytes && lost.requested == shortSend.requested && lost.bytesLeft > 0)
        #expect(diagnoses.allSatisfy { $0.kind == .unsentRest }, "\(diagnoses)")
    }

    @Test("short sends whose rest is kept and sent on writable: every byte echoed, nothing to say",
          .enabled(if: Rig.python != nil, "needs python3"))
    func restKeptIsNoBug() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Self.program("Tests/TracerTests/Programs/keeps_unsent_rest.py", in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let client = try LoopbackClient(port: try run.waitForPort(), receiveBuffer: 4096)
        defer { client.close() }
        let sent = (0..<256 * 1024).map { UInt8($0 % 251) }
        try client.send(sent)
        let short = Rig.waitUntil(timeout: 20) { Self.reduced(run).records.filter { $0.events.contains(where: \.isShortSend) }.count >= 1 }
        #expect(short, "\(run.process.stderr)")
        client.shutdownWrite()
        #expect(try client.receive(exactly: sent.count, timeout: 30) == sent, "every byte comes back")
        #expect(client.waitForClose(timeout: 20))
        #expect(Rig.waitUntil(timeout: 20) { Self.reduced(run).records.contains { $0.events.contains { $0.kind == .close } } })
        #expect(Self.diagnoses(run).isEmpty, "\(Self.diagnoses(run))")
    }

    @Test("a listener without SO_REUSEADDR, and nothing else, for a loop that is otherwise right",
          .enabled(if: Rig.python != nil, "needs python3"))
    func noReuseAddress() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Self.program("Tests/GraderTests/Submissions/no_reuseaddr.py", in: folder,
                                      with: ["Tests/GraderTests/Submissions/good_server.py"])
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let client = try LoopbackClient(port: try run.waitForPort())
        try client.send("Hello, world")
        #expect(try client.receiveString(count: 12) == "Hello, world")
        client.close()
        #expect(Rig.waitUntil(timeout: 20) { Self.reduced(run).records.contains { $0.events.contains { $0.kind == .close } } })
        let (diagnoses, records) = Self.reduced(run)
        #expect(diagnoses.map(\.kind) == [.noReuseAddress], "\(diagnoses)")
        #expect(diagnoses.first?.fd == records.first?.listener && diagnoses.first?.since == 1)
    }

    /// The tests' C poll and epoll servers (one with its loop in a second thread): correct
    /// loops on the other backends, nothing to say about them.
    @Test("the C poll and epoll servers: no diagnoses", .enabled(if: Rig.hasCompiler, "needs cc"),
          arguments: [["poll_server"], ["epoll_server"], ["poll_server", "thread"]])
    func cServersHaveNoLoopBugs(program: [String]) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try Rig.compile(program[0], in: folder)
        let run = try TraceRun(["--port", "0"], command: [executable.path] + program.dropFirst(), folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()
        let first = try LoopbackClient(port: port)
        let second = try LoopbackClient(port: port)
        for round in 0..<3 {
            for (index, client) in [first, second].enumerated() {
                let message = "round \(round) client \(index)"
                try client.send(message)
                #expect(try client.receiveString(count: message.utf8.count) == message)
            }
        }
        first.close()
        second.close()
        let closed = Rig.waitUntil(timeout: 20) {
            Self.reduced(run).records.flatMap(\.events).filter { $0.kind == .close }.count >= 2
        }
        #expect(closed, "\(run.process.transcript)")
        #expect(Self.diagnoses(run).isEmpty, "\(Self.diagnoses(run))")
    }

    /// The homework's five servers, driven one message at a time by two clients in turn (each
    /// step waited for in the trace, so the seed's own KeyError never comes into it).
    @Test("the homework's own servers: no spin, no lost rest, no read after the end of stream",
          .enabled(if: Rig.python != nil, "needs python3"), arguments: 1...5)
    func homeworkServersHaveNoLoopBugs(exercise: Int) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: exercise, part: "server", port: nil, in: folder)
        let run = try TraceRun(["--port", "0"], command: ["python3", server.path], folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()
        func count(_ match: (StepRecord) -> Bool) -> Int { Self.reduced(run).records.filter(match).count }
        var handled = 0
        for _ in 0..<2 {
            let client = try LoopbackClient(port: port)
            for _ in 0..<3 {
                try client.send("Hello, world")
                if exercise != 1 { #expect(try client.receiveString(count: 12) == "Hello, world") }
                handled += 1
                // Back in select() with nothing left to do for this message: exercises 2 and 4
                // have taken the fd out of outputs (a writable call with nothing sent).
                let settled = Rig.waitUntil(timeout: 20) {
                    switch exercise {
                    case 2, 4: return count { !$0.writable.isEmpty && $0.events.isEmpty } >= handled
                    case 1: return count { $0.events.contains { $0.kind == .recv && $0.bytes > 0 } } >= handled
                    default: return count { $0.events.contains { $0.kind == .send } } >= handled
                    }
                }
                #expect(settled, "\(run.process.transcript)")
            }
            client.close()
        }
        #expect(Rig.waitUntil(timeout: 20) { count { $0.events.contains { $0.kind == .close } } >= 2 }, "\(run.process.transcript)")
        let diagnoses = Self.diagnoses(run)
        // Exercises 3 and 5 of the homework never set SO_REUSEADDR; 1, 2 and 4 do.
        #expect(diagnoses.map(\.kind) == ([3, 5].contains(exercise) ? [.noReuseAddress] : []), "\(diagnoses)")
    }
}
