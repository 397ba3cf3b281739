import Dashboard
import SelectCore
import Testing

/// At 10,000 connections nothing overflows: lists count what they cannot show.
@Suite struct ScaleTests {
    @Test func tenThousandConnectionFrameSummarises() throws {
        let model = Fixtures.tenThousandConnections()
        for (width, height) in [(80, 24), (120, 40)] {
            let grid = DashboardRenderer.render(model, width: width, height: height)
            Snapshot.assertRowsFill(grid)
            let text = grid.text
            #expect(text.contains("conns 10000"))
            #expect(text.contains("inputs 9898"))
            #expect(text.contains("more"))
            #expect(text.contains("queues 10000 · full 103 · queued 26M · deepest first"))
            #expect(text.contains("/10000"))
            // Deepest first: the first queue row is a connection at the cap, held back.
            let header = try #require(grid.locate("fd peer"))
            #expect(grid.lines[header.y + 1].contains("64K") && grid.lines[header.y + 1].contains("full"))
            #expect(grid.role(of: "nfds 10005") == .dim)
        }
    }

    @Test func scrollingPagesThroughTheSortedQueues() {
        var model = Fixtures.tenThousandConnections()
        model.scroll = 200
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.text.contains("201-203/10000"))
        // Past the 103 capped connections, depths fall below the cap.
        let header = grid.locate("fd peer")!
        #expect(grid.lines[header.y + 1].contains("reading"))
        model.scroll = 1_000_000
        #expect(DashboardRenderer.render(model, width: 80, height: 24).text.contains("9998-10000/10000"))
    }

    @Test func pollAndEpollAtScaleStayInsideThePane() {
        for backend in [BackendKind.poll, .epoll] {
            var model = Fixtures.tenThousandConnections()
            model.server.backend = backend
            model.server.lastRecord?.backend = backend
            let grid = DashboardRenderer.render(model, width: 80, height: 24)
            Snapshot.assertRowsFill(grid)
            #expect(grid.text.contains("more"))
        }
    }
}
