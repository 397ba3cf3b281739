import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, Done-when 3: attaching to a running homework server and detaching leaves it
/// serving, byte-exact; a process the tracer may not trace gets a clear answer.
@Suite("tracer: attach and detach")
struct AttachTests {
    /// A homework server (exercise N) started by the test, on a free port.
    static func startServer(_ exercise: Int, in folder: URL) throws -> (SpawnedProcess, Int) {
        let port = try Rig.freePort()
        let code = try Rig.homeworkProgram(exercise: exercise, part: "server", port: port, in: folder)
        let server = try SpawnedProcess(Rig.python!, [code.path], name: "server")
        let listening = Rig.waitUntil(timeout: 15) {
            guard let probe = try? LoopbackClient(port: port) else { return false }
            probe.close()
            return true
        }
        guard listening else {
            server.stop()
            throw Rig.Failure("server did not listen: \(server.transcript)")
        }
        return (server, port)
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static func echo(_ client: LoopbackClient, _ bytes: [UInt8]) throws -> Bool {
        // Exercise 3 echoes each recv(1024) straight back: send in pieces it can take whole.
        var received: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 512) {
            let piece = Array(bytes[start..<min(start + 512, bytes.count)])
            try client.send(piece)
            received += try client.receive(exactly: piece.count, timeout: 10)
        }
        return received == bytes
    }

    @Test("an attached homework server keeps echoing byte-exact after detach, idle or busy",
          .enabled(if: Rig.python != nil, "needs python3"))
    func detachLeavesServerEchoing() throws {
        try checkDetach(reading: .stops)
    }

    @Test("read in the kernel, an attached homework server keeps echoing byte-exact after detach too",
          .enabled(if: Rig.python != nil, "needs python3"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func detachLeavesServerEchoingReadInKernel() throws {
        try checkDetach(reading: .kernel)
    }

    private func checkDetach(reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (server, port) = try Self.startServer(3, in: folder)
        defer { server.stop(grace: 1) }
        let early = try LoopbackClient(port: port)
        defer { early.close() }
        #expect(try Self.echo(early, Self.randomBytes(700, seed: 1)))

        // 1. Attach while it waits in select, trace some echoes, detach.
        let run = try TraceRun(["--pid", String(server.pid)] + reading.arguments, folder: folder)
        defer { run.end() }
        #expect(run.process.waitForStderr(containing: "attached to pid \(server.pid)"), "\(run.process.transcript)")
        #expect(try Self.echo(early, Self.randomBytes(3000, seed: 2)))
        #expect(Rig.waitUntil(timeout: 10) { run.records.count >= 3 }, "\(run.process.transcript)")
        #expect(run.records.allSatisfy { $0["listener"] as? Int == 3 }, "the listener came from /proc")
        #expect(run.interrupt() == 0, "\(run.process.transcript)")
        #expect(run.process.stderr.contains("detached from pid \(server.pid)"))
        #expect(server.isRunning)
        #expect(Rig.procStatus(server.pid, "TracerPid") == "0")
        #expect(Rig.procStatus(server.pid, "State")?.hasPrefix("T") == false)
        #expect(try Self.echo(early, Self.randomBytes(5000, seed: 3)), "the old connection after detach")
        let fresh = try LoopbackClient(port: port)
        defer { fresh.close() }
        #expect(try Self.echo(fresh, Self.randomBytes(4096, seed: 4)), "a new connection after detach")

        // 2. Attach and detach with no traffic at all: the select the attach interrupted is
        //    restarted, not lost.
        let idle = try TraceRun(["--pid", String(server.pid)] + reading.arguments, folder: folder)
        defer { idle.end() }
        #expect(idle.process.waitForStderr(containing: "attached to pid"), "\(idle.process.transcript)")
        #expect(idle.interrupt() == 0, "\(idle.process.transcript)")
        #expect(try Self.echo(fresh, Self.randomBytes(2048, seed: 5)))
        #expect(try Self.echo(early, Self.randomBytes(1000, seed: 6)))
        #expect(server.stderr.isEmpty, "the server shows no error: \(server.stderr)")
    }

    @Test("nobody attaching to a root process: a clear one-line answer and exit 1",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
    func notPermittedIsExplained() throws {
        let victim = try SpawnedProcess(URL(fileURLWithPath: "/bin/sleep"), ["60"], name: "sleep")
        defer { victim.stop(grace: 1) }
        let tracer = try SpawnedProcess(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", try Rig.requireBinary().path,
                                         "trace", "--pid", String(victim.pid)], name: "selectscope as nobody")
        defer { tracer.stop(grace: 1) }
        #expect(tracer.waitForExit(timeout: 10) == 1, "\(tracer.transcript)")
        let lines = tracer.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(tracer.stderr)")
        #expect(tracer.stderr.contains("not allowed to trace pid \(victim.pid)"))
        #expect(tracer.stderr.contains("uid 0") && tracer.stderr.contains("nobody"), "says why: \(tracer.stderr)")
        #expect(victim.isRunning && Rig.procStatus(victim.pid, "TracerPid") == "0")
    }
}

/// Attaching to an epoll program: its interest list comes from /proc/PID/fdinfo (the
/// epoll_ctl calls that built it were never seen), and the traced lists equal its own log.
@Suite("tracer: attach to an epoll server")
struct AttachEpollTests {
    @Test("interest from fdinfo; traced lists equal the program's own log; it serves on after detach",
          .enabled(if: Rig.hasCompiler, "needs cc"))
    func interestFromFdinfo() throws {
        try checkInterest(reading: .stops)
    }

    @Test("read in the kernel: interest from fdinfo, then from the epoll_ctl calls read; no wait lost or failed",
          .enabled(if: Rig.hasCompiler, "needs cc"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func interestFromFdinfoReadInKernel() throws {
        try checkInterest(reading: .kernel)
    }

    private func checkInterest(reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try Rig.compile("epoll_server", in: folder)
        let port = try Rig.freePort()
        let server = try SpawnedProcess(executable, [String(port)], name: "epoll_server")
        defer { server.stop(grace: 1) }
        let connection = try Rig.connect(port: port, within: 15)
        defer { connection.close() }
        try connection.send("before")
        #expect(try connection.receiveString(count: 6) == "before")
        #expect(server.waitForStdout(containing: "outputs=5"), "\(server.transcript)")

        let run = try TraceRun(["--pid", String(server.pid)] + reading.arguments, folder: folder)
        defer { run.end() }
        #expect(run.process.waitForStderr(containing: "attached to pid"), "\(run.process.transcript)")
        let logBefore = ReadyLists.cProgram(server.stdout, prefix: "epoll").count
        for round in 0..<3 {
            let text = "traced \(round)"
            try connection.send(text)
            #expect(try connection.receiveString(count: text.utf8.count) == text)
        }
        // The wait the attach interrupted is restarted, never an EINTR for the program
        // (epoll_wait is not restarted by the kernel itself): the calls compared are the
        // ones that returned.
        let records = {
            run.records.filter { record in
                let traced = record["traced"] as? [String: Any]
                return traced?["call"] as? String == "epoll_wait" && traced?["errno"] == nil
            }
        }
        #expect(Rig.waitUntil(timeout: 10) { records().count >= 6 }, "\(run.process.transcript)")
        // The first traced call's interest came from fdinfo: the listener and the connection.
        #expect(Rig.ints(records().first?["inputs"]).sorted() == [3, 5], "\(records().first ?? [:])")
        // Call by call against the program's own log (the calls after the attach). Where the
        // attach fell in the log is known to a line or two: the program's last lines may not
        // have reached this test's pipe reader when it counted them. The traced calls must
        // equal the log from one of those places on.
        let log = ReadyLists.cProgram(server.stdout, prefix: "epoll").map(\.lists)
        let traced = records().map { ReadyLists(record: $0, withInterest: true) }
        let aligned = (max(0, logBefore - 1)...min(log.count, logBefore + 2)).first { start in
            let logged = log.dropFirst(start)
            let common = min(logged.count, traced.count)
            return common >= 6 && Array(traced.prefix(common)) == Array(logged.prefix(common))
        }
        #expect(aligned != nil, "logged \(logBefore) calls before the attach; traced:\n\(traced.map(\.description).joined(separator: "\n"))\nlogged:\n\(log.map(\.description).joined(separator: "\n"))")
        #expect(run.interrupt() == 0, "\(run.process.transcript)")
        try connection.send("after")
        #expect(try connection.receiveString(count: 5) == "after")
        #expect(!server.stderr.contains("epoll_wait"), "attach or detach cut its wait short: \(server.stderr)")
    }

    /// Detaching from the middle of a traced wait restarts it with what was left of its
    /// timeout, as the kernel restarts select: the program's 5 s timeouts keep their pace.
    @Test("a wait cut short by the detach is restarted with the rest of its timeout, not all of it again",
          .enabled(if: Rig.hasCompiler, "needs cc"))
    func detachKeepsTheTimeoutsPace() throws {
        try checkTimeoutsPace(reading: .stops)
    }

    @Test("read in the kernel, a wait cut short by the detach keeps the rest of its timeout too",
          .enabled(if: Rig.hasCompiler, "needs cc"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func detachKeepsTheTimeoutsPaceReadInKernel() throws {
        try checkTimeoutsPace(reading: .kernel)
    }

    private func checkTimeoutsPace(reading: TraceReading) throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try Rig.compile("epoll_server", in: folder)
        let port = try Rig.freePort()
        let server = try SpawnedProcess(executable, [String(port)], name: "epoll_server")
        defer { server.stop(grace: 1) }
        func timeouts() -> Int { server.stdout.components(separatedBy: "readable= writable=").count - 1 }
        // Attach right after a timeout: the attach restarts that wait (5 s from now).
        #expect(Rig.waitUntil(timeout: 10) { timeouts() >= 1 }, "\(server.transcript)")
        let run = try TraceRun(["--pid", String(server.pid)] + reading.arguments, folder: folder)
        defer { run.end() }
        #expect(run.process.waitForStderr(containing: "attached to pid"), "\(run.process.transcript)")
        let attached = Rig.now()
        // Detach 2 s into the traced wait: 3 s of it are left.
        usleep(2_000_000)  // the scenario itself: 2 s of traced waiting, no condition to wait for
        #expect(run.interrupt() == 0, "\(run.process.transcript)")
        #expect(Rig.waitUntil(timeout: 10) { timeouts() >= 2 }, "\(server.transcript)")
        let next = Rig.now() - attached
        #expect(next < 6.2, "the wait after the detach took its whole timeout again: the timeout came \(next) s after the attach")
        #expect(!server.stderr.contains("epoll_wait"), "\(server.stderr)")
    }

    /// Pausing interrupts the wait in flight to hold it at its re-entry; attaching and
    /// detaching interrupt it too. None of it may reach the program as an EINTR.
    @Test("watch --pid: attach, pause, resume, detach leave an epoll server serving with no error",
          .enabled(if: Rig.hasCompiler && TmuxSession.isAvailable, "needs cc and tmux"))
    func pauseAndDetachLeaveNoEINTR() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = try Rig.compile("epoll_server", in: folder)
        let port = try Rig.freePort()
        let server = try SpawnedProcess(executable, [String(port)], name: "epoll_server")
        defer { server.stop(grace: 1) }
        let connection = try Rig.connect(port: port, within: 15)
        defer { connection.close() }
        try connection.send("before")
        #expect(try connection.receiveString(count: 6) == "before")

        let session = try WatchScreen.start(["--pid", String(server.pid)],
                                      width: 130, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        // Blocked in its wait (5 s timeout) while attached: the call in flight is shown.
        _ = try session.waitFor("the wait in flight", timeout: 20) { $0.contains { $0.contains("in epoll_wait() #") } }
        try session.sendKeys("Space")
        _ = try session.waitFor(text: "held at epoll_wait", timeout: 10)
        try connection.send("held")
        #expect(!connection.waitFor(events: Int16(POLLIN), timeout: 0.5), "an echo arrived while held")
        try session.sendKeys("Enter")
        #expect(try connection.receiveString(count: 4, timeout: 10) == "held")
        // Blocked again, then detached from the middle of that wait.
        _ = try session.waitFor("the wait in flight again", timeout: 10) { $0.contains { $0.contains("in epoll_wait() #") } }
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { Rig.procStatus(server.pid, "TracerPid") == "0" })
        try connection.send("after")
        #expect(try connection.receiveString(count: 5, timeout: 10) == "after")
        #expect(server.isRunning)
        #expect(!server.stderr.contains("epoll_wait"), "an EINTR reached the program: \(server.stderr)")
    }
}
