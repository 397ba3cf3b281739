import Dashboard
import SelectCore
import Clients
import Testing

/// Selection, the log's history, the scrolled source, zoom and folded clients, as drawn.
@Suite struct SelectionAndScrollTests {
    @Test func theSelectedConnectionIsMarkedInEveryPane() {
        var model = Fixtures.modeOneGrowingQueues()
        model.selection = 5
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        // inputs, queues: the row; the log: the lines about fd 5.
        let inputsRow = grid.locate("5 127.0.0.1:51234")!
        #expect(grid[inputsRow.x, inputsRow.y].role == .highlight)
        let queueRow = grid.locate(" 5 127.0.0.1:51234      ")!
        #expect(grid[queueRow.x + 1, queueRow.y].role == .highlight)
        let other = grid.locate(" 6 127.0.0.1:51236      ")!
        #expect(grid[other.x + 1, other.y].role != .highlight)
        let logLine = grid.locate("connection from ('127.0.0.1', 51234)")!
        #expect(grid[logLine.x, logLine.y].role == .highlight)
        // The fd_set bits: column 5 of the rd in row.
        let rdIn = grid.locate("rd in  ")!
        #expect(grid[rdIn.x + 7 + 5, rdIn.y].role == .highlight)
    }

    @Test func pageUpShowsOlderLogLinesAndSaysHowManyAreNewer() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.log = (1...60).map { LogEntry(seq: $0, event: ServerEvent(kind: .timeout)) }
        let latest = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(latest.locate("#60 timeout") != nil)
        model.logScroll = 20
        let back = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(back.locate("#60 timeout") == nil)
        #expect(back.locate("#40 timeout") != nil)
        #expect(back.locate("↓20 newer (End)") != nil)
        Snapshot.assertMatches(back, named: "log-history-80x24")
    }

    @Test func zoomShowsTheFocusedPaneOnTheWholeScreen() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.log = (1...60).map { LogEntry(seq: $0, event: ServerEvent(kind: .timeout)) }
        model.zoomed = true
        model.focus = .log
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.locate("inputs") == nil)
        #expect(grid.locate("#42 timeout") != nil, "19 log lines where 4 were")
        Snapshot.assertMatches(grid, named: "zoom-log-80x24")
    }

    @Test func theSourceViewScrolls() {
        var model = Fixtures.modeOneGrowingQueues()
        model.view = .source
        model.focus = .view
        let before = DashboardRenderer.render(model, width: 80, height: 24)
        model.sourceScroll = -40
        let top = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(before != top)
        #expect(top.trimmedLines.contains { $0.contains("│ 1 ") }, "scrolled to the first line")
    }

    @Test func finishedClientsFoldIntoACountAndRowsNameTheServerSide() {
        var model = Fixtures.modeOneGrowingQueues()
        var client = ClientRow(id: 1, pid: 4242, kind: .sender, state: .running, lastLine: "sent b'Hello, world'")
        client.localPort = 51234
        model.clients = [client]
        model.foldedClients = 3
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        #expect(grid.locate("+3 finished") != nil)
        #expect(grid.trimmedLines.contains { $0.contains("4242 sender running  fd 5  sent") }, "\(grid.trimmedLines.joined(separator: "\n"))")
    }
}
