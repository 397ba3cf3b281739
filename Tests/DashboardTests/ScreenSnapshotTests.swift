import Dashboard
import SelectCore
import Testing

/// Whole screens against golden files, at the default tmux size and a roomy one.
@Suite struct ScreenSnapshotTests {
    static let sizes = [(80, 24), (120, 40)]

    private func check(_ model: DashboardModel, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (width, height) in Self.sizes {
            let grid = DashboardRenderer.render(model, width: width, height: height)
            Snapshot.assertMatches(grid, named: "\(name)-\(width)x\(height)", sourceLocation: sourceLocation)
        }
    }

    @Test func modeOneWithTwoSendersShowsGrowingQueues() {
        check(Fixtures.modeOneGrowingQueues(), "mode1-growing-queues")
    }

    @Test func modeFourShowsAnFdInOutputsComingBackWritable() {
        check(Fixtures.modeFourWritable(), "mode4-writable")
    }

    @Test func modeFiveShowsTheTimeout() {
        check(Fixtures.modeFiveTimeout(), "mode5-timeout")
    }

    @Test func pausedBeforeACallShowsWhatItWillBeGiven() {
        check(Fixtures.pausedBeforeCall(), "paused-before-call")
    }

    @Test func steppingShowsTheServerInsideTheCall() {
        var model = Fixtures.pausedBeforeCall()
        model.server.runState = .stepping
        check(model, "stepping")
    }

    @Test func helpOverlayListsEveryKey() {
        var model = Fixtures.modeOneGrowingQueues()
        model.showHelp = true
        check(model, "help")
    }

    @Test func tooSmallTerminalGetsOneLine() {
        let grid = DashboardRenderer.render(Fixtures.modeOneGrowingQueues(), width: 20, height: 5)
        Snapshot.assertMatches(grid, named: "too-small-20x5")
    }

    @Test func tenThousandConnectionsAreSummarised() {
        check(Fixtures.tenThousandConnections(), "10k-connections")
    }

    @Test func traditionalChineseLabels() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        check(model, "zh-TW")
    }

    @Test func traditionalChineseHelp() {
        var model = Fixtures.modeFourWritable()
        model.language = .zhTW
        model.showHelp = true
        check(model, "zh-TW-help")
    }

    @Test func asciiBordersWhenTheLocaleIsNotUTF8() {
        var model = Fixtures.pausedBeforeCall()
        model.asciiOnly = true
        check(model, "ascii")
    }

    @Test func pollBackendShowsEventsAndRevents() {
        var model = Fixtures.modeFourWritable()
        model.server.backend = .poll
        model.server.lastRecord?.backend = .poll
        check(model, "poll")
    }

    @Test func epollBackendShowsInterestAndReady() {
        var model = Fixtures.modeFourWritable()
        model.server.backend = .epoll
        model.server.lastRecord?.backend = .epoll
        check(model, "epoll")
    }

    @Test func replayWithDamageAndAStatusLine() {
        var model = Fixtures.modeFourWritable()
        model.replay = ReplayInfo(position: 17, total: 250, speed: 2, playing: true, damage: "line 251: unexpected end of file")
        model.status = "spawn failed: fork: Resource temporarily unavailable (EAGAIN)"
        check(model, "replay-damaged")
    }
}

/// The source and explain views, per exercise, from hand-made calls that take every branch.
extension ScreenSnapshotTests {
    @Test func exerciseTwoClosesSendsAndSeesUrgentData() {
        check(TeachingFixtures.modeTwoCloseSendUrgent(view: .source), "source-mode2")
        check(TeachingFixtures.modeTwoCloseSendUrgent(view: .explain), "explain-mode2")
    }

    @Test func exerciseFourAcceptsReceivesAndFindsAnEmptyQueue() {
        check(TeachingFixtures.modeFourAcceptRecvQueueEmpty(view: .source), "source-mode4")
        check(TeachingFixtures.modeFourAcceptRecvQueueEmpty(view: .explain), "explain-mode4")
    }

    @Test func exerciseFiveAcceptsEchoesAndCloses() {
        check(TeachingFixtures.modeFiveAcceptEchoClose(view: .source), "source-mode5")
        check(TeachingFixtures.modeFiveAcceptEchoClose(view: .explain), "explain-mode5")
    }

    @Test func exerciseFiveTimesOut() {
        check(TeachingFixtures.modeFiveTimeout(view: .source), "source-mode5-timeout")
    }

    @Test func sourceAndExplainInTraditionalChinese() {
        check(TeachingFixtures.modeFourAcceptRecvQueueEmpty(view: .source, language: .zhTW), "zh-TW-source-mode4")
        check(TeachingFixtures.modeFiveAcceptEchoClose(view: .explain, language: .zhTW), "zh-TW-explain-mode5")
    }

    @Test func roomForEverythingShowsAllThreeViews() {
        for (width, height) in [(160, 40), (200, 60)] {
            let grid = DashboardRenderer.render(TeachingFixtures.modeTwoCloseSendUrgent(), width: width, height: height)
            Snapshot.assertMatches(grid, named: "three-views-\(width)x\(height)")
        }
        let tall = DashboardRenderer.render(TeachingFixtures.modeFourAcceptRecvQueueEmpty(), width: 80, height: 40)
        Snapshot.assertMatches(tall, named: "explain-band-80x40")
    }

    @Test func replayHeaderKeyBarAndEmptyClients() {
        check(ReplayScreenTests.replay(damage: "line 251: unexpected end of file"), "replay-paused")
        var help = ReplayScreenTests.replay(speed: 2, playing: true)
        help.showHelp = true
        check(help, "replay-help")
        help.language = .zhTW
        check(help, "zh-TW-replay-help")
    }
}

extension ScreenSnapshotTests {
    @Test func minimumSizeStillShowsEveryPane() {
        Snapshot.assertMatches(DashboardRenderer.render(Fixtures.modeFourWritable(), width: 60, height: 16), named: "minimum-60x16")
        var model = Fixtures.tenThousandConnections()
        model.language = .zhTW
        Snapshot.assertMatches(DashboardRenderer.render(model, width: 60, height: 16), named: "minimum-zh-TW-10k-60x16")
    }
}
