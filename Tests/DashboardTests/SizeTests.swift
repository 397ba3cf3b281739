import Dashboard
import SelectCore
import Testing

/// Every size gets a frame that fits it, from nothing at all to a wall display.
@Suite struct SizeTests {
    @Test func tooSmallGetsOneLineSayingWhatIsNeeded() {
        let grid = DashboardRenderer.render(Fixtures.modeFourWritable(), width: 59, height: 24)
        #expect(grid.trimmedLines[0] == "terminal too small: need 60x16, have 59x24")
        #expect(grid.trimmedLines.dropFirst().allSatisfy { $0.isEmpty })
        let short = DashboardRenderer.render(Fixtures.modeFourWritable(), width: 80, height: 15)
        #expect(short.trimmedLines[0] == "terminal too small: need 60x16, have 80x15")
    }

    @Test func tinyAndEmptyTerminalsDoNotCrash() {
        for (width, height) in [(20, 5), (1, 1), (0, 0), (0, 10), (10, 0), (2, 1)] {
            let grid = DashboardRenderer.render(Fixtures.tenThousandConnections(), width: width, height: height)
            #expect(grid.width == width && grid.height == height)
        }
        #expect(DashboardRenderer.render(Fixtures.modeFourWritable(), width: 1, height: 1).lines == ["t"])
        #expect(DashboardRenderer.render(Fixtures.modeFourWritable(), width: 20, height: 5).lines[0] == "terminal too small: ")
    }

    @Test func theMinimumSizeDrawsEveryPane() {
        let grid = DashboardRenderer.render(Fixtures.modeFourWritable(), width: Layout.minimumWidth, height: Layout.minimumHeight)
        for title in ["inputs", "outputs", "clients", "last call", "queues", "log"] {
            #expect(grid.locate(title) != nil, "\(title)")
        }
        Snapshot.assertRowsFill(grid)
    }

    @Test func everySizeFillsItsRowsExactly() {
        var models = [Fixtures.modeFourWritable(), Fixtures.pausedBeforeCall()]
        var chinese = Fixtures.modeFiveTimeout()
        chinese.language = .zhTW
        chinese.showHelp = true
        chinese.status = "狀態訊息"
        models.append(chinese)
        // The timeline, in both languages, with mode changes and an exceptional fd.
        for language in Language.allCases {
            var timeline = Fixtures.modeFourWritable()
            timeline.view = .timeline
            timeline.language = language
            timeline.history = CallHistory(TimelineTests.records())
            models.append(timeline)
        }
        for model in models {
            for width in stride(from: 58, through: 132, by: 7) {
                for height in stride(from: 14, through: 50, by: 4) {
                    Snapshot.assertRowsFill(DashboardRenderer.render(model, width: width, height: height))
                }
            }
        }
    }

    @Test func layoutKeepsPanesInsideTheScreenAndSharesBorders() throws {
        for (width, height) in [(60, 16), (80, 24), (120, 40), (200, 60)] {
            let layout = try #require(Layout.compute(width: width, height: height))
            for box in layout.boxes {
                #expect(box.x >= 0 && box.y >= 2 && box.maxX <= width && box.maxY <= height - 1, "\(box) in \(width)x\(height)")
                #expect(box.height >= 3, "every pane keeps a content row")
            }
            #expect(layout.inputs.maxY - 1 == layout.outputs.y)
            #expect(layout.outputs.maxY - 1 == layout.clients.y)
            #expect(layout.clients.maxY - 1 == layout.queues.y)
            #expect(layout.lastCall.maxY - 1 == layout.queues.y)
            #expect(layout.queues.maxY - 1 == layout.log.y)
            #expect(layout.log.maxY == height - 1)
            #expect(layout.keyBar.y == height - 1)
        }
        #expect(Layout.compute(width: 80, height: 24)?.queuePageRows == 3)
        #expect(Layout.compute(width: 59, height: 24) == nil)
        // A replay damage line and a status line still leave every pane a row at the minimum.
        let tight = try #require(Layout.compute(width: 60, height: 16, headerLines: 3, hasStatus: true))
        #expect(tight.boxes.allSatisfy { $0.height >= 3 } == true)
    }
}
