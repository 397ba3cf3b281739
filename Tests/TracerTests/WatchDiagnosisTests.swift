import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11: `selectscope watch` on a program that spins shows the diagnosis in the explain
/// view, live, with its calls/s; quitting leaves nothing behind.
@Suite("tracer: diagnoses in selectscope watch")
struct WatchDiagnosisTests {
    @Test("a spinning program: the explain view says which fd spins and how fast",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func spinIsDiagnosedLive() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["spins.py", "good_server.py"] {
            try FileManager.default.copyItem(at: Rig.packageRoot.appendingPathComponent("Tests/GraderTests/Submissions/\(name)"),
                                             to: folder.appendingPathComponent(name))
        }
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--",
                                       "python3", folder.appendingPathComponent("spins.py").path],
                                      width: 120, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let (_, pid) = try WatchScreen.waitForTraced(session)
        #expect(pid > 0)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }

        let connection = try Rig.connect(port: port)
        defer { connection.close() }
        try connection.send("Hello, world")
        #expect(try connection.receiveString(count: 12) == "Hello, world")

        // v: last call -> source -> explain.
        try session.sendKeys("v")
        try session.sendKeys("v")
        let explained = try session.waitFor("the spin diagnosed", timeout: 20) { lines in
            lines.contains { $0.contains("bug: fd") && $0.contains("spins: writable in") }
        }
        let text = explained.joined(separator: "\n")
        #expect(text.contains("calls/s"), "\(text)")

        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "the traced program survived")
    }
}
