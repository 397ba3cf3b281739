import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §6 for a traced program: while its loop thread is blocked in a readiness call, the
/// header and the last-call pane say which call, what it was given and how long it has been
/// blocked, ticking; with a timeout, the time left.
@Suite("tracer: the call in flight in watch")
struct WatchCallInFlightTests {
    @Test("a blocked pselect6 is shown in flight with its inputs, ticking",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func blockedCallIsShownTicking() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", "python3", server.path],
                                      width: 130, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let first = try session.waitFor("the first call in flight", timeout: 30) { screen in
            screen.contains { $0.contains("in pselect6() #1") && $0.contains("blocked for") }
        }
        let pid = WatchScreen.tracedPID(first)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }
        #expect(first[1].contains("in pselect6() #1"), "the header names the call in flight: \(first[1])")
        #expect(first.contains { $0.contains("timeout none") && $0.contains("inputs [3]") }, "\(first.joined(separator: "\n"))")
        #expect(first.contains { $0.contains("3 listener 127.0.0.1:\(port)") }, "blocked on the listener, named as such")
        try session.waitFor("the blocked time ticking", timeout: 10) { $0.contains { $0.contains("in pselect6() #1  blocked for 2s") } }

        // A call comes back: the next one is in flight, with the connection in its inputs.
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        try client.send("x")
        #expect(try client.receiveString(count: 1) == "x")
        let later = try session.waitFor("a later call in flight", timeout: 10) { screen in
            screen.contains { $0.contains("in pselect6() #") && !$0.contains("#1 ") && $0.contains("inputs [3,") }
        }
        _ = later
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }

    @Test("with a timeout the time left is shown", .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func timeoutShowsTimeLeft() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The homework's exercise 5 waits with a timeout.
        let server = try Rig.homeworkProgram(exercise: 5, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", "python3", server.path],
                                      width: 130, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let screen = try session.waitFor("a call in flight with its time left", timeout: 30) { screen in
            screen.contains { $0.contains("in pselect6() #") && $0.contains("s left") }
        }
        let pid = WatchScreen.tracedPID(screen)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }
}
