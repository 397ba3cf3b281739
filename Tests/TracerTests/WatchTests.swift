import Foundation
import LoopbackTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11, Done-when 4: `selectscope watch` under tmux. Pausing holds the program at its
/// next readiness call (a client's echo does not arrive), a step lets one call run (the echo
/// arrives), quitting ends the program and restores the terminal.
@Suite("tracer: selectscope watch under tmux")
struct WatchTests {
    @Test("stepping holds the program; quitting leaves nothing behind",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func steppingHoldsTheProgram() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.seedProgram(3, "server", in: folder)
        let port = try Rig.freePort()
        let session = try TmuxSession([try Rig.requireBinary().path, "watch", "--port", String(port), "--", "python3", server.path],
                                      width: 120, height: 40)
        defer { session.kill() }
        let screen = try session.waitFor("the program traced", timeout: 30) { $0.contains { $0.contains("traced: pid") } }
        let pid = screen.compactMap { line -> Int32? in
            guard let range = line.range(of: "traced: pid ") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }.first ?? 0
        #expect(pid > 0)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }

        var client: LoopbackClient?
        #expect(Rig.waitUntil(timeout: 30) { client = try? LoopbackClient(port: port); return client != nil })
        let connection = try #require(client)
        defer { connection.close() }
        try connection.send("one")
        #expect(try connection.receiveString(count: 3) == "one")

        try session.sendKeys("Space")
        _ = try session.waitFor(text: "held at pselect6", timeout: 10)
        try connection.send("two")
        #expect(!connection.waitFor(events: Int16(POLLIN), timeout: 1.0), "an echo arrived while the program was held")
        try session.sendKeys("Space")
        #expect(try connection.receiveString(count: 3, timeout: 10) == "two", "one step lets the call run")
        _ = try session.waitFor(text: "step: one call runs", timeout: 10)

        try session.sendKeys("Enter")
        try connection.send("three")
        #expect(try connection.receiveString(count: 5, timeout: 10) == "three")

        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
        #expect(Rig.waitUntil(timeout: 5) { !Rig.isAlive(pid) }, "the traced program survived")
    }
}
