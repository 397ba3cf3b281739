@testable import Dashboard
import SelectCore
import Testing

/// The `last call` pane: the checklist before and after the call, per backend.
@Suite struct ResultPaneTests {
    @Test func selectShowsEachFdSetBeforeAndAfterTheCall() {
        let grid = PaneHarness.lastCall(Fixtures.modeFourWritable(), width: 40, height: 10)
        #expect(grid.trimmedLines == [
            "┌ last call #17 ───────────── select() ┐",
            "│timeout none  blocked 0.04ms          │",
            "│fd     0123456  nfds 7                │",
            "│rd in  ···■i■■  inputs                │",
            "│rd out ······■  readable [6]          │",
            "│wr in  ·····■·  outputs               │",
            "│wr out ·····■·  writable [5]          │",
            "│ex in  ···■·■■  inputs                │",
            "│ex out ·······  exceptional []        │",
            "└──────────────────────────────────────┘",
        ])
    }

    @Test func resultBitsTakeTheirResultsRole() {
        let grid = PaneHarness.lastCall(Fixtures.modeFourWritable(), width: 40, height: 10)
        let bitColumn = 1 + FDSetView.labelWidth
        #expect(grid[bitColumn + 6, 4].role == .readable)   // rd out, fd 6
        #expect(grid[bitColumn + 5, 6].role == .writable)   // wr out, fd 5
        #expect(grid[bitColumn + 5, 3].role == .highlight)  // rd in, fd 5: passed in, not a result
        #expect(grid[bitColumn + 0, 3].role == .dim)        // fd 0 never watched
        #expect(grid[bitColumn + 4, 3].character == "i")    // the wake-up pipe, set but not an input
    }

    @Test func tooManyFdsForBitsAreListedInstead() {
        let grid = PaneHarness.lastCall(Fixtures.tenThousandConnections(), width: 50, height: 10)
        #expect(grid.trimmedLines == [
            "┌ last call #123456 ─────────────────── select() ┐",
            "│timeout none  blocked 0.30ms  cost 3.2µs        │",
            "│nfds 10005                                      │",
            "│rd in  inputs 9898 [3,5,6,7,8,9,10,11,12,…+9889]│",
            "│rd out readable [5,45,85,125,165,205,245,…+243] │",
            "│wr in  outputs 0 []                             │",
            "│wr out writable []                              │",
            "│ex in  inputs 9898 [3,5,6,7,8,9,10,11,12,…+9889]│",
            "│ex out exceptional []                           │",
            "└────────────────────────────────────────────────┘",
        ])
    }

    @Test func pausedSaysWhatTheNextCallWillBeGiven() {
        let grid = PaneHarness.lastCall(Fixtures.pausedBeforeCall(), width: 48, height: 5)
        #expect(grid.trimmedLines[1] == "│PAUSED  next call: inputs [3,5,6] outputs [6] │")
        #expect(grid.role(of: "PAUSED") == .warning)
        // Below it, still what the last call returned.
        #expect(grid.trimmedLines[2] == "│timeout none  blocked 0.04ms  cost 3.2µs      │")
    }

    @Test func steppingSaysTheServerIsInsideTheCall() {
        var model = Fixtures.pausedBeforeCall()
        model.server.runState = .stepping
        let grid = PaneHarness.lastCall(model, width: 60, height: 5)
        #expect(grid.trimmedLines[1].hasPrefix("│waiting in select()... inputs [3,5,6] outputs [6]"))
    }

    @Test func anEmptyResultIsATimeout() {
        let grid = PaneHarness.lastCall(Fixtures.modeFiveTimeout(), width: 48, height: 4)
        #expect(grid.trimmedLines[1] == "│timeout 2.0s  blocked 2.00s  → nothing ready  │")
    }

    @Test func pollShowsEventsAndReventsPerPollfd() {
        var model = Fixtures.modeFourWritable()
        model.server.backend = .poll
        model.server.lastRecord?.backend = .poll
        let grid = PaneHarness.lastCall(model, width: 48, height: 10)
        #expect(grid.trimmedLines == [
            "┌ last call #17 ─────────────────────── poll() ┐",
            "│timeout none  blocked 0.04ms  cost 3.2µs      │",
            "│readable [6]  writable [5]  exceptional []    │",
            "│   fd  events      revents                    │",
            "│    3  IN|PRI      0                          │",
            "│    5  IN|PRI|OUT  OUT                        │",
            "│    6  IN|PRI      IN                         │",
            "│    4  IN          0           internal       │",
            "│whole array goes in; kernel fills revents     │",
            "└──────────────────────────────────────────────┘",
        ])
    }

    @Test func pollShowsReadyEntriesFirstWhenTheyDoNotAllFit() {
        var model = Fixtures.tenThousandConnections()
        model.server.lastRecord?.backend = .poll
        let grid = PaneHarness.lastCall(model, width: 50, height: 8)
        #expect(grid.trimmedLines[4] == "│    5  IN|PRI      IN                           │")
        #expect(grid.trimmedLines[5] == "│   45  IN|PRI      IN                           │")
        #expect(grid.trimmedLines[6] == "│… +9897 more                                    │")
    }

    @Test func epollShowsInterestAndOnlyTheReadyFds() {
        var model = Fixtures.modeFourWritable()
        model.server.lastRecord?.backend = .epoll
        let grid = PaneHarness.lastCall(model, width: 48, height: 6)
        #expect(grid.trimmedLines[3] == "│interest IN [3,5,6]  OUT [5]                  │")
        #expect(grid.trimmedLines[4] == "│ready    6:IN 5:OUT                           │")
    }

    @Test func noCallYet() {
        var model = Fixtures.modeFourWritable()
        model.server.lastRecord = nil
        let grid = PaneHarness.lastCall(model, width: 30, height: 4)
        #expect(grid.trimmedLines[0] == "┌ last call ─────── select() ┐")
        #expect(grid.trimmedLines[1] == "│no call yet                 │")
    }
}
