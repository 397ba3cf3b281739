import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, Done-when 2: C servers written for the tests, compiled here with `cc`, log the
/// lists they see themselves; the traced interest and ready lists equal them, and the loop
/// of a multi-threaded server is found in its thread.
@Suite("tracer: C poll and epoll servers")
struct CServerTests {
    struct Program: Sendable, CustomStringConvertible {
        let source: String
        let arguments: [String]
        let prefix: String
        let call: String
        var description: String { ([source] + arguments).joined(separator: " ") }
    }

    static let programs = [
        Program(source: "poll_server", arguments: [], prefix: "poll", call: "poll"),
        Program(source: "epoll_server", arguments: [], prefix: "epoll", call: "epoll_wait"),
        Program(source: "poll_server", arguments: ["thread"], prefix: "poll", call: "poll"),
    ]

    @Test("traced interest and ready lists equal the program's own log", .enabled(if: Rig.hasCompiler, "needs cc"),
          arguments: programs)
    func tracedListsEqualLoggedLists(program: Program) throws {
        try check(program, reading: .stops)
    }

    @Test("read in the kernel, the lists equal the program's own log too (bind still moved by a stop)",
          .enabled(if: Rig.hasCompiler, "needs cc"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"), arguments: programs)
    func kernelReadListsEqualLoggedLists(program: Program) throws {
        try check(program, reading: .kernel)
    }

    private func check(_ program: Program, reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try Rig.compile(program.source, in: folder)
        // The programs bind port 1234 (the epoll one from read-only memory): --port moves it.
        let run = try TraceRun(["--port", "0"] + reading.arguments, command: [executable.path] + program.arguments, folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()

        // Two clients, interleaved, each echo checked byte for byte.
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

        let logged = { ReadyLists.cProgram(run.process.stdout, prefix: program.prefix) }
        let records = { run.records.filter { ($0["traced"] as? [String: Any])?["call"] as? String == program.call } }
        let settled = Rig.waitUntil(timeout: 15) {
            let count = logged().count
            // Both closes seen (the log grows with each), and every logged call traced.
            return count >= 14 && count == records().count
        }
        let traced = records().map { ReadyLists(record: $0, withInterest: true) }
        let own = logged().map(\.lists)
        #expect(settled, "logged \(own.count) calls, traced \(traced.count):\n\(run.process.transcript)")
        #expect(traced == own, "traced:\n\(traced.map(\.description).joined(separator: "\n"))\nlogged:\n\(own.map(\.description).joined(separator: "\n"))")

        // The loop's thread: the tid the program prints is the one the records name.
        let loopTIDs = Set(logged().map(\.tid))
        let tracedTIDs = Set(records().compactMap { ($0["traced"] as? [String: Any])?["tid"] as? Int })
        let pids = Set(records().compactMap { ($0["traced"] as? [String: Any])?["pid"] as? Int })
        #expect(loopTIDs.count == 1 && loopTIDs == tracedTIDs, "loop \(loopTIDs) traced \(tracedTIDs)")
        if program.arguments == ["thread"] {
            #expect(pids.count == 1 && pids != tracedTIDs, "the loop runs in a second thread: pid \(pids), tid \(tracedTIDs)")
        }
    }
}
