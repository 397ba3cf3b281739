import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// SPEC §6 in a real terminal: the call in flight, pausing without inventing a call, keys
/// typed together, breakpoints, selection. Each test has its own tmux server and port.
@Suite(
    "The call in flight, pausing, breakpoints and selection in a real terminal (tmux)",
    .enabled(if: TmuxSession.isAvailable, "tmux is not installed"),
    .enabled(if: Rig.binary != nil, "the selectscope binary was not built")
)
struct DashboardLiveTests {
    @Test("right after start the screen shows call #1 blocked on the listener, ticking; never 'no call yet'")
    func firstCallInFlight() throws {
        let dashboard = try DashboardDriver(width: 80, height: 24)
        defer { dashboard.tearDown() }
        let first = try dashboard.start()
        #expect(!first.lines.joined().contains("no call yet"), "\(first)")
        let screen = try dashboard.waitFor("call #1 in flight on the listener") { screen in
            screen.inFlight?.seq == 1 && screen.title(of: "last call")?.contains("call 1 in flight") == true
        }
        #expect(screen.counter("calls") == 1, "the counters agree with the call shown:\n\(screen)")
        #expect(screen.pane("last call")?.contains { $0.hasPrefix("rd in  ···■") } == true, "\(screen)")
        // The "blocked for" ticks, once a second.
        try dashboard.waitFor("blocked for 2s", timeout: 6) { ($0.inFlight?.blockedSeconds ?? 0) >= 2 }
        try dashboard.quit()
    }

    @Test("space while blocked pauses without inventing a call: the trace marks the cut call interrupted, the screen too, and the next step makes it again")
    func spaceNeverInventsACall() throws {
        let folder = try Rig.temporaryFolder()
        let trace = folder.appendingPathComponent("pause.jsonl")
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start(["--record", trace.path])
        try dashboard.waitFor("call #1 in flight") { $0.inFlight?.seq == 1 }
        try dashboard.press("Space")
        let paused = try dashboard.waitFor("PAUSED after an interrupted call #1") { screen in
            screen.isPaused && screen.title(of: "last call")?.contains("#1 interrupted") == true
        }
        #expect(paused.pane("last call")?.contains { $0.contains("readable []") } == false, "\(paused)")
        #expect(paused.pane("last call")?.contains { $0.contains("cut by a key") } == true, "\(paused)")

        // The next step makes the call again: it blocks in select() on the listener until a
        // client connects; a second space meanwhile does not use it up.
        try dashboard.press("Space")
        try dashboard.waitFor("the step blocked in call #2") { $0.inFlight?.seq == 2 }
        try dashboard.press("Space")
        try dashboard.waitFor("still blocked in a call, no result shown") { screen in
            screen.inFlight != nil && screen.title(of: "last call")?.contains("#1 ") == true || screen.title(of: "last call")?.contains("#2 interrupted") == true
        }
        try dashboard.press("c")
        let stepped = try dashboard.waitFor("a real result: the listener readable") { screen in
            screen.isPaused && screen.pane("last call")?.contains { $0.contains("readable [3]") } == true
        }
        _ = stepped
        try dashboard.quit()

        let records = Rig.lines(of: trace).compactMap(Rig.json)
        let first = try #require(records.first)
        #expect(first["interrupted"] as? Bool == true, "call 1 was cut by the key: \(first)")
        #expect(Rig.ints(first["readable"]).isEmpty)
        // Every call that came back empty without a timeout was cut short, and says so.
        for record in records where Rig.ints(record["readable"]).isEmpty && Rig.ints(record["writable"]).isEmpty
            && !(record["events"] as? [[String: Any]] ?? []).contains(where: { $0["kind"] as? String == "timeout" }) {
            #expect(record["interrupted"] as? Bool == true, "an empty result not marked interrupted: \(record)")
        }
        // The accept happened in a call that was not interrupted, after the re-made one(s).
        let accepting = try #require(records.first { Rig.ints($0["readable"]) == [3] })
        #expect(accepting["interrupted"] == nil)
        #expect(Rig.ints(accepting["inputs"]) == [3])
    }

    @Test("`2c` typed in one burst starts mode 2's echo client, not mode 1's sender")
    func keysInOneBurst() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.tmux.type("2c")
        let screen = try dashboard.waitFor("mode 2 and one client") { $0.mode == 2 && $0.clientRows.count == 1 }
        #expect(screen.clientRows.first?.kind == "echo", "\(screen)")
        try dashboard.quit()
    }

    @Test("--break short-send under a flood client (mode 3): the loop pauses the moment a send comes up short, and says where")
    func breakpointOnShortSend() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start(["--mode", "3", "--break", "short-send"])
        try dashboard.waitFor("the breakpoint named in the log's title") { $0.title(of: "log")?.contains("break short-send") == true }
        try dashboard.press("f")
        let screen = try dashboard.waitFor("PAUSED at a short send", timeout: 20) { screen in
            screen.isPaused && screen.lines.contains { $0.contains("stopped at call #") && $0.contains("short-send fd ") }
        }
        let line = try #require(screen.lines.first { $0.contains("stopped at call #") })
        let seq = try #require(line.firstMatch(of: #/call #(\d+)/#).flatMap { Int($0.1) })
        #expect(screen.lastCall == seq, "the screen stands on the call that made the short send:\n\(screen)")
        // The short send is in the log, from that call.
        #expect(screen.logLines.contains { $0.seq == seq && $0.text.hasPrefix("sending") }, "\(screen)")
        // No call after it: the counters stop at that call.
        #expect(screen.counter("calls") == seq, "\(screen)")
        try dashboard.quit()
    }

    @Test("`p` opens the breakpoint chooser; a digit ticks an event, esc closes it and the log's title names it")
    func breakpointChooser() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("p")
        try dashboard.waitFor("the chooser") { $0.pane("pause when…") != nil }
        try dashboard.press("2")
        try dashboard.waitFor("close ticked") { ($0.pane("pause when…") ?? []).contains { $0.contains("2 [x] close") } }
        try dashboard.press("Escape")
        try dashboard.waitFor("the log's title names it") { $0.pane("pause when…") == nil && $0.title(of: "log")?.contains("break close") == true }
        try dashboard.quit()
    }

    @Test("down selects the first connection: its rows are highlighted in inputs, queues and clients, the client row names its server fd and port, and x closes that client, not the newest")
    func selectionHighlightAndX() throws {
        let dashboard = try DashboardDriver(width: 140, height: 30, environment: ["NO_COLOR": "1"])
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("c")
        try dashboard.waitFor("one client on its connection") { $0.clientRows.count == 1 && $0.clientRows[0].serverFD != nil }
        try dashboard.press("c")
        let two = try dashboard.waitFor("two clients, each naming its server fd") { screen in
            screen.clientRows.count == 2 && screen.clientRows.allSatisfy { $0.serverFD != nil }
        }
        let oldest = two.clientRows[0]
        let newest = two.clientRows[1]
        // The fd a client row names is the connection whose peer port is the client's own.
        let oldestPort = try #require(two.queueRows.first { $0.fd == oldest.serverFD }?.peerPort)
        let newestPort = try #require(two.queueRows.first { $0.fd == newest.serverFD }?.peerPort)
        #expect(oldestPort != newestPort)
        #expect(DashboardDriver.tcpLocalPorts(of: oldest.pid).contains(oldestPort), "client \(oldest.pid) is not on port \(oldestPort)")

        try dashboard.press("Down")
        let highlighted = try dashboard.tmux.waitFor("the selected connection in reverse video", timeout: 10) { _ in
            let attributed = (try? dashboard.tmux.captureWithAttributes()) ?? []
            // inputs and queues by its peer, clients by its fd.
            let rows = attributed.filter { TmuxSession.reversedText($0).contains(":\(oldestPort)") }
            return rows.count >= 2 && attributed.contains { TmuxSession.reversedText($0).contains("\(oldest.pid) sender") }
        }
        _ = highlighted
        let attributed = try dashboard.tmux.captureWithAttributes()
        #expect(!attributed.contains { TmuxSession.reversedText($0).contains(":\(newestPort)") },
                "only the selected connection is highlighted")

        try dashboard.press("x")
        #expect(Rig.waitUntil(timeout: 10) { DashboardDriver.stat(oldest.pid) == nil }, "x did not end the selected connection's client \(oldest.pid)")
        let newestStat = DashboardDriver.stat(newest.pid)
        #expect(newestStat != nil && newestStat?.state != "Z", "x ended the newest client instead")
        try dashboard.quit()
    }

    @Test("PgUp pages the log back through its history (older lines, 'newer' counted in the title); End follows the newest again")
    func logHistoryPaging() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start(interval: 0.05)
        try dashboard.press("c")
        let busy = try dashboard.waitFor("a log longer than two pages") { ($0.logLines.last?.seq ?? 0) > 40 }
        _ = busy
        try dashboard.press("Space")
        let paused = try dashboard.waitFor("paused") { $0.isPaused }
        let newest = try #require(paused.logLines.last?.seq)
        try dashboard.press("PPage")
        let back = try dashboard.waitFor("older lines after PgUp") { screen in
            (screen.logLines.last?.seq ?? Int.max) < newest && screen.lines.contains { $0.contains("newer (End)") }
        }
        #expect(back.logLines.count >= 3, "\(back)")
        try dashboard.press("End")
        try dashboard.waitFor("the newest again after End") { $0.logLines.last?.seq == newest && !$0.lines.contains { $0.contains("newer (End)") } }
        try dashboard.quit()
    }

}
