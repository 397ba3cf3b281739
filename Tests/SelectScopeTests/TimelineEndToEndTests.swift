import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// The timeline view in the real dashboard under tmux: `v` cycles to it, live and in replay.
@Suite("timeline view", .serialized)
struct TimelineEndToEndTests {
    @Test("live: v three times shows the timeline; the client's fd gets a row whose calls come back readable (R)")
    func liveTimeline() throws {
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trace = folder.appendingPathComponent("live.jsonl")
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start(["--record", trace.path], interval: 0.2)
        try dashboard.press("c")
        try dashboard.waitFor("a client's connection in the queues") { !$0.queueRows.isEmpty }
        try dashboard.press("v", "v", "v")
        let screen = try dashboard.waitFor("the timeline with a readable connection row") { screen in
            guard let rows = screen.pane("timeline") else { return false }
            return rows.contains { $0.firstMatch(of: #/^\s*\d+\s+[·R]*R/#) != nil && !$0.contains("L") }
        }
        let rows = try #require(screen.pane("timeline"))
        #expect(rows.first?.hasPrefix("call") == true, "\(screen.text)")
        #expect(rows.contains { $0.firstMatch(of: #/^\s*3L /#) != nil }, "the listener's row: \(screen.text)")
        #expect(rows.contains { $0.contains("R read") && $0.contains("W write") }, "the legend: \(screen.text)")
        #expect(screen.title(of: "timeline")?.contains("#1-") == true, "\(screen.text)")
        try dashboard.press("v")
        try dashboard.waitFor("back to the last call") { $0.lastCall != nil && $0.pane("timeline") == nil }
        #expect(try dashboard.quit() == 0)

        // The same trace in replay: the timeline marks the replayed call (▼) and shows the calls after it.
        try dashboard.runExpectingExit(["replay", trace.path])
        try dashboard.waitFor("the replay") { $0.text.contains("REPLAY call 1/") }
        try dashboard.press("Right", "Right", "v", "v", "v")
        let replay = try dashboard.waitFor("the replay's timeline") { ($0.pane("timeline") ?? []).first?.contains("▼") == true }
        let ruler = try #require(replay.pane("timeline")?.first)
        #expect(ruler.firstMatch(of: #/^call\s+▼/#) != nil, "the third call is marked: \(replay.text)")
        try dashboard.press("q")
        #expect(try dashboard.waitForExit() == 0)
    }
}
