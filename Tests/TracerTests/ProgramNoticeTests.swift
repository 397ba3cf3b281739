import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11's clear messages for programs that are not plain servers: one that never listens
/// is said to be so and left running; one that forks away (a daemon) is followed, said to be
/// followed, and ended with the tracing.
@Suite("tracer: programs that never listen or fork away")
struct ProgramNoticeTests {
    @Test("no listen() after --listen-wait: said on stderr, the program keeps running")
    func neverListensIsSaid() throws {
        let run = try TraceRun(["--listen-wait", "0.5"], command: ["sleep", "30"])
        defer { run.end() }
        #expect(run.process.waitForStderr(containing: "has not called listen() in 0.5 s", timeout: 10), "\(run.process.transcript)")
        let line = run.process.stderr.split(separator: "\n").first { $0.contains("listen()") }.map(String.init) ?? ""
        #expect(line.contains("it keeps running"), "\(line)")
        let pid = Int32(line.split(separator: " ").dropFirst(2).first ?? "") ?? 0
        #expect(pid > 0 && Rig.isAlive(pid), "the program was left running: \(line)")
        #expect(run.process.isRunning)
        #expect(run.interrupt() == 0, "\(run.process.transcript)")
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "Ctrl-C ends it")
    }

    @Test("watch: the status line says a program never listened, and that a daemon's child is followed; q ends both",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func watchSaysSo() throws {
        let quiet = try WatchScreen.start(["--listen-wait", "0.5", "--", "sleep", "30"],
                                    width: 140, height: 30, environment: ["NO_COLOR": "1"])
        defer { quiet.kill() }
        let said = try quiet.waitFor(text: "has not called listen() in 0.5 s", timeout: 20)
        let sleeper = WatchScreen.tracedPID(said)
        #expect(sleeper > 0 && Rig.isAlive(sleeper), "left running")
        try quiet.sendKeys("q")
        #expect(try quiet.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(sleeper) }, "q ends a program started here")

        let port = try Rig.freePort()
        let daemon = try WatchScreen.start(["--port", String(port), "--",
                                      "python3", Rig.pythonProgram("daemon_server").path],
                                     width: 160, height: 30, environment: ["NO_COLOR": "1"])
        defer { daemon.kill() }
        let followed = try daemon.waitFor(text: "following pid", timeout: 20)
        let child = WatchScreen.tracedPID(followed)
        #expect(child > 0 && Rig.isAlive(child), "the status line names the child: \(followed.joined(separator: "\n"))")
        #expect(followed.first?.contains("pid \(child)") == true, "the header names the child followed")
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        try client.send("hi")
        #expect(try client.receiveString(count: 2) == "hi")
        try daemon.sendKeys("q")
        #expect(try daemon.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(child) }, "q ends the followed child")
    }

    @Test("a daemon's fork: its child is followed and serves traced; Ctrl-C ends it too",
          .enabled(if: Rig.python != nil, "needs python3"))
    func forkedAwayIsFollowed() throws {
        try checkForkedAway(reading: .stops)
    }

    @Test("read in the kernel, a daemon's forked child is read too",
          .enabled(if: Rig.python != nil, "needs python3"), .enabled(if: TraceReading.kernelWorks, "needs BPF (root)"))
    func forkedAwayIsFollowedReadInKernel() throws {
        try checkForkedAway(reading: .kernel)
    }

    private func checkForkedAway(reading: TraceReading) throws {
        let run = try TraceRun(["--port", "0"] + reading.arguments, command: ["python3", Rig.pythonProgram("daemon_server").path])
        defer { run.end() }
        let port = try run.waitForPort()
        #expect(run.process.waitForStderr(containing: "runs on (a daemon's fork): following pid"), "\(run.process.transcript)")
        let line = run.process.stderr.split(separator: "\n").first { $0.contains("following pid") }.map(String.init) ?? ""
        let child = Int32(line.split(separator: " ").last ?? "") ?? 0
        #expect(child > 0 && Rig.isAlive(child), "\(line)")
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        try client.send("daemon")
        #expect(try client.receiveString(count: 6) == "daemon")
        #expect(Rig.waitUntil(timeout: 10) { run.records.count >= 2 }, "the child's calls are traced: \(run.process.transcript)")
        #expect(run.process.isRunning, "the trace goes on while the child runs")
        #expect(run.interrupt() == 0, "\(run.process.transcript)")
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(child) }, "the followed child was left running")
    }

    @Test("a daemon's child that ends: its status is the trace's, and named as the child's",
          .enabled(if: Rig.python != nil, "needs python3"))
    func followedChildsEndIsTheProgramsEnd() throws {
        let run = try TraceRun(["--port", "0"], command: ["python3", Rig.pythonProgram("daemon_server").path, "once"])
        defer { run.end() }
        let port = try run.waitForPort()
        #expect(run.process.waitForStderr(containing: "following pid"), "\(run.process.transcript)")
        let line = run.process.stderr.split(separator: "\n").first { $0.contains("following pid") }.map(String.init) ?? ""
        let child = line.split(separator: " ").last.map(String.init) ?? "?"
        let client = try LoopbackClient(port: port)
        try client.send("bye")
        #expect(try client.receiveString(count: 3) == "bye")
        client.close()
        #expect(run.process.waitForExit(timeout: 15) == 3, "\(run.process.transcript)")
        #expect(run.process.stderr.contains("pid \(child) exited with status 3"), "\(run.process.stderr)")
    }
}
