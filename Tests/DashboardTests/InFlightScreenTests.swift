import Dashboard
import SelectCore
import Testing

/// The call in flight and interrupted calls (SPEC §6), as a person sees them.
@Suite struct InFlightScreenTests {
    private func check(_ model: DashboardModel, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (width, height) in [(80, 24), (120, 40)] {
            let grid = DashboardRenderer.render(model, width: width, height: height)
            Snapshot.assertMatches(grid, named: "\(name)-\(width)x\(height)", sourceLocation: sourceLocation)
        }
    }

    /// Right after start: call 1 blocked on the listener, never "no call yet".
    static func firstCallBlocked(seconds: Double = 3.4) -> DashboardModel {
        var server = Fixtures.server(mode: .one)
        server.inputs = [3]
        server.counters.calls = 1
        server.inFlight = InFlightCall(seq: 1, backend: .select, timeout: nil, startedAt: 100, internalFDs: [4])
        var model = DashboardModel(server: server)
        model.now = 100 + seconds
        return model
    }

    @Test func aFreshDashboardShowsTheFirstCallBlockedOnTheListener() {
        let model = Self.firstCallBlocked()
        check(model, "in-flight-first-call")
        let text = DashboardRenderer.render(model, width: 80, height: 24).lines.joined(separator: "\n")
        #expect(!text.contains("no call yet"))
        #expect(text.contains("last call · call 1 in flight"))
        #expect(text.contains("in select() #1"))
        #expect(text.contains("blocked for 3s"))
        #expect(text.contains("nfds 5"))
        #expect(text.contains("calls 1"), "the counters agree with the call shown")
    }

    @Test func blockedForTicksInWholeSeconds() {
        let a = DashboardRenderer.render(Self.firstCallBlocked(seconds: 3.1), width: 80, height: 24)
        let b = DashboardRenderer.render(Self.firstCallBlocked(seconds: 3.9), width: 80, height: 24)
        let c = DashboardRenderer.render(Self.firstCallBlocked(seconds: 64), width: 80, height: 24)
        #expect(a == b, "nothing changes within a second: the idle screen is not redrawn")
        #expect(c.locate("blocked for 1m04s") != nil)
    }

    @Test func modeFiveShowsTheTimeLeft() {
        var model = Fixtures.modeFiveTimeout()
        let seq = (model.server.lastRecord?.seq ?? 0) + 1
        model.server.counters.calls = seq
        model.server.inFlight = InFlightCall(seq: seq, backend: .select, timeout: 2, startedAt: 50, internalFDs: [4])
        model.now = 50.7
        check(model, "in-flight-mode5")
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        #expect(grid.locate("timeout 2.0s, 2s left") != nil)
        #expect(grid.locate("in select() #\(seq)") != nil)
    }

    @Test func anInterruptedCallIsNotShownAsAnEmptyResult() {
        var model = Fixtures.pausedBeforeCall()
        model.server.lastRecord?.readable = []
        model.server.lastRecord?.writable = []
        model.server.lastRecord?.internalReady = [4]
        model.server.lastRecord?.interrupted = true
        check(model, "interrupted")
        let text = DashboardRenderer.render(model, width: 80, height: 24).lines.joined(separator: "\n")
        #expect(text.contains("cut by a key: no result, made again"))
        #expect(!text.contains("readable []"))
        #expect(!text.contains("nothing ready"))
    }

    @Test func anUnmeasuredCallShowsNoCost() {
        var model = Fixtures.modeFourWritable()
        model.server.lastRecord?.costMicroseconds = 0
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        #expect(grid.locate("cost") == nil)
    }

    @Test func afterABackendSwitchThePaneNamesTheCallItShows() {
        var model = Fixtures.modeFourWritable()
        model.server.backend = .poll
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        #expect(grid.locate("select()") != nil)
        #expect(grid.locate("poll()") == nil)
    }

    @Test func theBreakpointChooserTicksTheChosenEvents() {
        var model = Fixtures.modeOneGrowingQueues()
        model.choosingBreakpoints = true
        model.breakpoints = [.shortSend, .queueAtCap]
        check(model, "breakpoint-chooser")
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.locate("1 [x] short-send") != nil)
        #expect(grid.locate("2 [ ] close") != nil)
        #expect(grid.locate("7 [x] queue-at-cap") != nil)
    }
}
