import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11: when a watched program ends, the dashboard says how and shows its last stderr
/// lines (a traceback's last lines), and keeps the last state on screen until q.
@Suite("tracer: a watched program that ends")
struct ProgramEndTests {
    @Test("a traceback: exit status 1, its last stderr lines, the last state kept until q",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func tracebackIsShown() throws {
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--",
                                       "python3", Rig.pythonProgram("crash_after_recv").path],
                                      width: 120, height: 36, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let connection = try Rig.connect(port: port)
        defer { connection.close() }
        try connection.send("boom")
        let ended = try session.waitFor("the end and the traceback", timeout: 15) { screen in
            screen.contains { $0.contains("exited with status 1") && $0.contains("its last stderr lines") }
                && screen.contains { $0.contains("ZeroDivisionError: division by zero") }
        }
        #expect(ended.contains { $0.contains("return 1 / 0") }, "\(ended.joined(separator: "\n"))")
        #expect(ended[1].contains("STOPPED"), "the header says it stopped: \(ended[1])")
        #expect(ended.contains { $0.contains("received b'boom'") }, "the log keeps the last state")
        // Still there a while later: nothing is cleared until q.
        #expect(!Rig.waitUntil(timeout: 1.5) { ((try? session.capture()) ?? []).allSatisfy { !$0.contains("ZeroDivisionError") } })
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }
}
