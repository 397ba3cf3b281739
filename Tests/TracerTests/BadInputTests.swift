import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Bad input gets one clear line and exit 1; a program's end is reported; quitting ends
/// everything that was started.
@Suite("tracer: bad input, endings, quitting")
struct BadInputTests {
    static func trace(_ arguments: [String]) throws -> (status: Int32?, stderr: String) {
        let process = try SpawnedProcess.selectscope(["trace"] + arguments)
        defer { process.stop(grace: 1) }
        let status = process.waitForExit(timeout: 15)
        return (status, process.stderr)
    }

    @Test("a command that does not exist")
    func commandNotFound() throws {
        let result = try Self.trace(["--", "no-such-command-\(getpid())"])
        #expect(result.status == 1)
        #expect(result.stderr == "selectscope: no-such-command-\(getpid()): command not found (not a file, and not in any PATH folder)\n")
        let path = try Self.trace(["--", "/no/such/file"])
        #expect(path.status == 1 && path.stderr.contains("command not found"))
    }

    @Test("a file that is not executable")
    func notExecutable() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("server.py")
        try "print('hi')\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try Self.trace(["--", file.path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("not executable"), "\(result.stderr)")
    }

    @Test("numbers out of range are refused with the range")
    func numbersOutOfRange() throws {
        let port = try Self.trace(["--port", "-1", "--", "true"])
        #expect(port.status == 64 && port.stderr.contains("--port must be between 0 and 65535 (got -1)"), "\(port.stderr)")
        let pid = try Self.trace(["--pid", "-5"])
        #expect(pid.status == 64 && pid.stderr.contains("--pid must be between 1 and"), "\(pid.stderr)")
    }

    @Test("a trace that cannot be written is reported at once and the run exits 1")
    func traceToAFullDevice() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let process = try SpawnedProcess.selectscope(["trace", "--port", "0", "--trace", "/dev/full", "--log", "none", "--", "python3", server.path])
        defer { process.stop(grace: 1) }
        try #require(process.waitForStderr(containing: "listening on", timeout: 30), "\(process.transcript)")
        let port = try #require(Rig.announcedPort(process.stderr))
        // A client makes the first call return: its record is the first write.
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        #expect(process.waitForStderr(containing: "the trace stopped", timeout: 15), "\(process.transcript)")
        process.signal(SIGINT)
        #expect(process.waitForExit(timeout: 15) == 1, "\(process.transcript)")
    }

    @Test("a pid that does not exist")
    func noSuchProcess() throws {
        let result = try Self.trace(["--pid", "2147483000"])
        #expect(result.status == 1)
        #expect(result.stderr == "selectscope: no process with pid 2147483000\n")
    }

    @Test("--pid and a command together, or neither, are refused")
    func targetRequired() throws {
        #expect(try Self.trace([]).status != 0)
        #expect(try Self.trace(["--pid", "1", "--", "true"]).status != 0)
    }

    @Test("the program's exit status is reported and becomes the tracer's")
    func exitStatusPassesThrough() throws {
        let result = try Self.trace(["--log", "none", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(result.status == 7)
        #expect(result.stderr.contains("err\n") && result.stderr.contains("exited with status 7"), "\(result.stderr)")
        let killed = try Self.trace(["--log", "none", "--", "/bin/sh", "-c", "kill -TERM $$"])
        #expect(killed.status == 128 + SIGTERM && killed.stderr.contains("killed by SIGTERM"), "\(killed.stderr)")
    }

    @Test("the program's stdout passes through unchanged")
    func stdoutPassesThrough() throws {
        let process = try SpawnedProcess.selectscope(["trace", "--log", "none", "--", "/bin/sh", "-c", "printf 'a\\nb\\n'"])
        defer { process.stop(grace: 1) }
        #expect(process.waitForExit(timeout: 15) == 0)
        #expect(process.stdout == "a\nb\n")
    }

    @Test("Ctrl-C kills the started program and everything it started")
    func interruptKillsEverything() throws {
        // Durations no other test uses, so the sleeps are found by their command lines.
        let process = try SpawnedProcess.selectscope(["trace", "--log", "text", "--", "/bin/sh", "-c", "sleep 3007 & sleep 3011; wait"])
        defer { process.stop(grace: 1) }
        var sleeps: [Int32] = []
        #expect(Rig.waitUntil(timeout: 15) {
            sleeps = Rig.processes(withArguments: ["sleep", "3007"]) + Rig.processes(withArguments: ["sleep", "3011"])
            return sleeps.count == 2
        }, "\(process.transcript)")
        let started = Int32(process.stderr.split(separator: " ").drop { $0 != "pid" }.dropFirst().first?.dropLast() ?? "") ?? 0
        process.signal(SIGINT)
        #expect(process.waitForExit(timeout: 10) == 0)
        #expect(process.stderr.contains("killed"), "\(process.stderr)")
        for pid in sleeps + [started] where pid > 0 {
            #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "pid \(pid) survived")
        }
    }
}
