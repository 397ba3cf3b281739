import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Breakpoints in `watch` (SPEC §6 on a traced program): a call whose record matches one
/// holds the program at its next readiness call, really stopped, and the status line names
/// the breakpoint, the call and the fd, as the live dashboard does.
@Suite("tracer: breakpoints in watch")
struct WatchBreakpointTests {
    @Test("--break close holds the program after the close: no echo until enter; the chooser offers no queue-at-cap",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func closeBreakpointHoldsTheProgram() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--break", "close", "--port", String(port), "--", "python3", server.path],
                                      width: 130, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let (screen, pid) = try WatchScreen.waitForTraced(session)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }
        #expect(screen.contains { $0.contains("break close") }, "the log's title names the breakpoint")

        let first = try Rig.connect(port: port, within: 30)
        try first.send("one")
        #expect(try first.receiveString(count: 3) == "one")
        let closedPort = first.localPort
        first.close()
        let stopped = try session.waitFor("the close breakpoint hit", timeout: 15) { $0.contains { $0.contains("stopped at call #") && $0.contains("close fd") } }
        #expect(stopped.contains { $0.contains("held at pselect6") }, "\(stopped.joined(separator: "\n"))")
        #expect(stopped.contains { $0.contains("closing ('127.0.0.1', \(closedPort))") })

        // Really stopped: a new client's data gets no echo until enter.
        let second = try LoopbackClient(port: port)
        defer { second.close() }
        try second.send("two")
        #expect(!second.waitFor(events: Int16(POLLIN), timeout: 1.0), "an echo arrived while the program was held")
        #expect(Rig.procStatus(pid, "State")?.hasPrefix("t") == true, "the program is in a tracing stop")
        try session.sendKeys("Enter")
        #expect(try second.receiveString(count: 3, timeout: 10) == "two", "enter lets it run")

        // The chooser offers only what a traced program can hit.
        try session.sendKeys("p")
        let chooser = try session.waitFor("the chooser", timeout: 10) { $0.contains { $0.contains("pause when") } }
        #expect(chooser.contains { $0.contains("6 [ ] refused") }, "\(chooser.joined(separator: "\n"))")
        #expect(!chooser.contains { $0.contains("queue-at-cap") })
        #expect(chooser.contains { $0.contains("1-6 toggle") })
        try session.sendKeys("Escape", "q")
        #expect(try session.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "the traced program survived")
    }

    /// A traced call has no timeout event: its empty result after a timeout is what hits.
    @Test("--break timeout on the homework's exercise 5 stops at its first timeout",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func timeoutBreakpointHitsOnAnEmptyResult() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 5, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--break", "timeout", "--port", String(port), "--", "python3", server.path],
                                      width: 130, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let stopped = try session.waitFor("the timeout breakpoint hit", timeout: 30) { $0.contains { $0.contains("stopped at call #1: timeout") } }
        let pid = WatchScreen.tracedPID(stopped)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }
        #expect(stopped.contains { $0.contains("held at pselect6") }, "\(stopped.joined(separator: "\n"))")
        try session.sendKeys("Space")
        _ = try session.waitFor(text: "step: one call runs", timeout: 10)
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "the traced program survived")
    }

    @Test("--break queue-at-cap is refused with the reason; all means every traceable one")
    func queueAtCapIsNotOffered() throws {
        let refused = try SpawnedProcess.selectscope(["watch", "--break", "close,queue-at-cap", "--", "true"])
        #expect(refused.waitForExit(timeout: 10) == 64)
        #expect(refused.stderr.contains("queue-at-cap cannot be seen in a traced program"), "\(refused.stderr)")
        let help = try SpawnedProcess.selectscope(["watch", "--help"])
        #expect(help.waitForExit(timeout: 10) == 0)
        let words = help.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(words.contains("short-send, close, reset, timeout, exceptional, refused, or all"), "\(help.stdout)")
        #expect(!words.contains("queue-at-cap"))
    }
}
