import Foundation
import LoopbackTesting
import Testing
@testable import ProcessTesting
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
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", "python3", server.path],
                                      width: 120, height: 40)
        defer { session.kill() }
        let (_, pid) = try WatchScreen.waitForTraced(session)
        #expect(pid > 0)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }

        let connection = try Rig.connect(port: port)
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

    /// Issue 11 with issue 9's one reducer and issue 10's screen state: watch feeds every
    /// record to the one reducer, so a connection accepted early stays listed after far more
    /// calls than any window of records would hold; the arrow keys select it as in the live
    /// dashboard; the header names the traced program.
    @Test("an early connection stays listed after 1000+ further calls, and Down selects it",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func stateOlderThanAnyWindowIsKept() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", "python3", server.path],
                                      width: 140, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let (screen, pid) = try WatchScreen.waitForTraced(session)
        #expect(pid > 0)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }
        // The header names the program, not the dashboard's own mode.
        #expect(screen.first?.contains("pid \(pid)") == true && screen.first?.contains(server.lastPathComponent) == true,
                "the header does not name the traced program: \(screen.first ?? "")")

        let early = try Rig.connect(port: port, within: 30)
        defer { early.close() }
        try early.send("a")
        #expect(try early.receiveString(count: 1) == "a")
        _ = try session.waitFor(text: ":\(early.localPort)", timeout: 10)

        // A second client makes the calls: one or more per echo.
        let busy = try LoopbackClient(port: port)
        defer { busy.close() }
        for _ in 0..<1200 {
            try busy.send("b")
            _ = try busy.receiveString(count: 1)
        }
        let later = try session.waitFor("more than 1000 calls counted", timeout: 20) { screen in
            screen.contains { line in
                guard let range = line.range(of: "calls ") else { return false }
                return (Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0) > 1000
            }
        }
        #expect(later.contains { $0.contains(":\(early.localPort)") }, "the early connection vanished:\n\(later.joined(separator: "\n"))")

        try session.sendKeys("Down")
        let highlighted = try session.waitFor("the early connection in reverse video", timeout: 10) { _ in
            let attributed = (try? session.captureWithAttributes()) ?? []
            return attributed.contains { TmuxSession.reversedText($0).contains(":\(early.localPort)") }
        }
        _ = highlighted
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }

    /// Issue 11 with the live dashboard's client keys: once the tracer has seen the program
    /// listen, `c` starts a client process against its address, and the program accepts it.
    @Test("c starts a client against the traced program's listening address; the timeline view shows its calls",
          .enabled(if: TmuxSession.isAvailable && Rig.python != nil, "needs tmux and python3"))
    func clientKeyStartsAClientAgainstTheProgram() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Rig.homeworkProgram(exercise: 3, part: "server", port: nil, in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", "python3", server.path],
                                      width: 140, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let screen = try session.waitFor("the program listening", timeout: 30) { $0.first?.contains(":\(port)") == true }
        let pid = WatchScreen.tracedPID(screen)
        defer { if pid > 0 && Rig.isAlive(pid) { kill(pid, SIGKILL) } }

        try session.sendKeys("c")
        let started = try session.waitFor("a client listed and its connection accepted", timeout: 20) { screen in
            screen.contains { $0.contains("clients 1") } && screen.contains { $0.contains("queues 1") }
        }
        #expect(!started.contains { $0.contains("start clients from another terminal") })
        // What the program printed has a pane of its own (its lines start at the pane's
        // border; the log's start with the call number).
        try session.waitFor("the program's own output in its pane", timeout: 20) { screen in
            screen.contains { $0.contains("its output") } && screen.contains { $0.contains("│connection from (") }
        }
        // The timeline view is fed the traced calls too.
        try session.sendKeys("v", "v", "v")
        try session.waitFor("the timeline of the traced calls", timeout: 10) { screen in
            screen.contains { $0.contains("timeline") && $0.contains("#1-") } && screen.contains { $0.contains("R read") }
        }
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }


    @Test("a program with two loop threads: the accept loop is shown, t shows the other thread's, the header says whose",
          .enabled(if: TmuxSession.isAvailable && Rig.hasCompiler, "needs tmux and cc"))
    func tShowsEachLoopThread() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("two_loops", in: folder)
        let port = try Rig.freePort()
        let session = try WatchScreen.start(["--port", String(port), "--", program.path],
                                      width: 140, height: 40, environment: ["NO_COLOR": "1"])
        defer { session.kill() }
        let connection = try Rig.connect(port: port)
        defer { connection.close() }
        try connection.send("echo")
        #expect(try connection.receiveString(count: 4) == "echo")
        // The ticker thread called first, but the loop that waits on the listener is shown.
        let server = try session.waitFor("the accept loop shown", timeout: 20) { screen in
            screen.first?.contains("thread 2/2 tid") == true && screen.contains { $0.contains("listener 127.0.0.1:\(port)") }
                && screen.contains { $0.contains("t thread") }
        }
        #expect(server.contains { $0.contains("queues 1") }, "\(server.joined(separator: "\n"))")
        try session.sendKeys("t")
        let ticker = try session.waitFor("the ticker's loop", timeout: 10) { screen in
            screen.first?.contains("thread 1/2 tid") == true && screen.contains { $0.contains("queues 0") }
        }
        #expect(!ticker.contains { $0.contains("listener 127.0.0.1") }, "\(ticker.joined(separator: "\n"))")
        try session.sendKeys("t")
        try session.waitFor("back to the accept loop", timeout: 10) { $0.first?.contains("thread 2/2 tid") == true }
        try session.sendKeys("q")
        #expect(try session.waitForExit(timeout: 15) == 0)
    }

    @Test("a recording of two loop threads replays one thread's calls: the accept loop's, or the one --thread names",
          .enabled(if: Rig.hasCompiler, "needs cc"))
    func replayShowsOneThreadsLoop() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let program = try Rig.compile("two_loops", in: folder)
        let run = try TraceRun(["--port", "0"], command: [program.path], folder: folder)
        defer { run.end() }
        let port = try run.waitForPort()
        let client = try Rig.connect(port: port)
        try client.send("echo")
        #expect(try client.receiveString(count: 4) == "echo")
        client.close()
        #expect(Rig.waitUntil(timeout: 15) { run.records.contains { Self.kinds($0).contains("close") } }, "\(run.process.transcript)")
        run.end()
        let tids = { (records: [[String: Any]]) in Set(records.compactMap { ($0["traced"] as? [String: Any])?["tid"] as? Int }) }
        let all = tids(run.records)
        let server = try #require(run.records.first { Self.kinds($0).contains("accept") }.flatMap { ($0["traced"] as? [String: Any])?["tid"] as? Int })
        #expect(all.count == 2, "\(all)")

        let picture = folder.appendingPathComponent("loop.svg").path
        let replay = try SpawnedProcess.selectscope(["replay", run.traceFile.path, "--svg", picture])
        #expect(replay.waitForExit(timeout: 30) == 0, "\(replay.transcript)")
        #expect(replay.stderr.contains("holds the calls of 2 threads") && replay.stderr.contains("replaying thread \(server)'s loop"),
                "\(replay.stderr)")
        let other = try #require(all.subtracting([server]).first)
        let chosen = try SpawnedProcess.selectscope(["replay", run.traceFile.path, "--svg", picture, "--thread", String(other)])
        #expect(chosen.waitForExit(timeout: 30) == 0, "\(chosen.transcript)")
        #expect(!chosen.stderr.contains("replaying thread"), "\(chosen.stderr)")
        let missing = try SpawnedProcess.selectscope(["replay", run.traceFile.path, "--thread", "999999"])
        #expect(missing.waitForExit(timeout: 30) == 1)
        #expect(missing.stderr.contains("no call of thread 999999") && missing.stderr.contains("\(server)"), "\(missing.stderr)")
    }

    private static func kinds(_ record: [String: Any]) -> [String] {
        ((record["events"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
    }
}
