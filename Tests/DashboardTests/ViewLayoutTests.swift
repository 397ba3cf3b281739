import Dashboard
import SelectCore
import Testing

/// Where the last call, the source and the explanations go: `v` chooses the right-hand
/// pane; room to spare shows more at once.
@Suite struct ViewLayoutTests {
    /// The title at the top of the right-hand pane (row 2 of an 80x24 frame, after the left column).
    private func rightTitle(_ model: DashboardModel) -> String {
        let line = DashboardRenderer.render(model, width: 80, height: 24).trimmedLines[2]
        return String(line.dropFirst(33))
    }

    @Test func vCyclesTheRightHandPane() {
        #expect(KeyTable.command(for: .character("v")) == .cycleView)
        var model = TeachingFixtures.modeFourAcceptRecvQueueEmpty()
        #expect(model.view == .lastCall)
        #expect(rightTitle(model).hasPrefix("last call #23"))
        model.view = model.view.next(traced: false)
        #expect(rightTitle(model).hasPrefix("source 練習4 使用writefds來傳送"))
        model.view = model.view.next(traced: false)
        #expect(rightTitle(model).hasPrefix("explain #23"))
        model.view = model.view.next(traced: false)
        #expect(rightTitle(model).hasPrefix("timeline"))
        model.view = model.view.next(traced: false)
        #expect(model.view == .lastCall)
        #expect(DashboardView.allCases.map { $0.next(traced: false) } == [.source, .explain, .explain, .timeline, .lastCall])
        // A traced program's output stands where the seed's source would.
        #expect(DashboardView.allCases.map { $0.next(traced: true) } == [.output, .explain, .explain, .timeline, .lastCall])
    }

    @Test func eightyByTwentyFourShowsOneViewAtATime() throws {
        let layout = try #require(Layout.compute(width: 80, height: 24))
        #expect(layout.dock == nil && layout.sourceColumn == nil)
        for view in DashboardView.allCases {
            #expect(layout.slots(showing: view) == [Layout.ViewSlot(rect: layout.lastCall, view: view)])
        }
    }

    @Test func fromOneHundredTwentyColumnsExplainSitsBesideTheLog() throws {
        let layout = try #require(Layout.compute(width: 120, height: 40))
        let dock = try #require(layout.dock)
        #expect(dock.y == layout.log.y && dock.height == layout.log.height)
        #expect(dock.x == layout.log.maxX - 1 && dock.maxX == 120)
        #expect(layout.log.width >= 60, "the seed's log lines keep their room")
        #expect(layout.sourceColumn == nil)
        #expect(layout.slots(showing: .lastCall).map(\.view) == [.lastCall, .explain])
        #expect(layout.slots(showing: .source).map(\.view) == [.source, .explain])
        // Choosing explain trades places: the dock has rows enough for the checklist.
        #expect(layout.slots(showing: .explain).map(\.view) == [.explain, .lastCall])

        let text = DashboardRenderer.render(TeachingFixtures.modeFourAcceptRecvQueueEmpty(), width: 120, height: 40).text
        #expect(text.contains("┬ explain #23 · as recorded ─"))
        #expect(text.contains("│warning: fd 5: writable with nothing queued;"))
    }

    @Test func aShortDockDoesNotTakeTheChecklist() throws {
        let layout = try #require(Layout.compute(width: 120, height: 24))
        #expect(layout.dock != nil)
        #expect(layout.slots(showing: .explain).map(\.view) == [.lastCall, .explain])
    }

    @Test func fromFortyRowsExplainGetsABandAboveTheLog() throws {
        let layout = try #require(Layout.compute(width: 80, height: 40))
        let dock = try #require(layout.dock)
        #expect(dock.x == 0 && dock.width == 80)
        #expect(dock.y == layout.queues.maxY - 1 && dock.maxY - 1 == layout.log.y)
        #expect(dock.height - 2 >= 5)
        let grid = DashboardRenderer.render(TeachingFixtures.modeFourAcceptRecvQueueEmpty(), width: 80, height: 40)
        Snapshot.assertRowsFill(grid)
        #expect(grid.text.contains("├ explain #23 · as recorded ─"))
    }

    @Test func fromOneHundredSixtyColumnsTheSourceHasAColumn() throws {
        let layout = try #require(Layout.compute(width: 160, height: 40))
        let column = try #require(layout.sourceColumn)
        #expect(column.maxX == 160 && column.y == layout.lastCall.y && column.maxY == layout.log.maxY)
        #expect(column.x == layout.lastCall.maxX - 1 && column.x == layout.queues.maxX - 1)
        #expect(column.width >= 70)
        // The code stays in its column whichever view is chosen.
        for view in DashboardView.allCases {
            let views = layout.slots(showing: view)
            #expect(views.filter { $0.view == .source }.map(\.rect) == [column], "\(view)")
            #expect(Set(views.map(\.view)).count == views.count, "no view twice")
        }
        let text = DashboardRenderer.render(TeachingFixtures.modeFourAcceptRecvQueueEmpty(), width: 160, height: 40).text
        for title in ["last call #23", "source 練習4 使用writefds來傳送", "explain #23"] {
            #expect(text.contains(title), "\(title)")
        }
    }

    @Test func wallDisplaysGetAllThreeBesideEachOther() throws {
        let layout = try #require(Layout.compute(width: 200, height: 60))
        let column = try #require(layout.sourceColumn)
        let dock = try #require(layout.dock)
        #expect(dock.maxX - 1 == column.x && dock.y == layout.log.y)
        #expect(column.width == 76)
    }

    @Test func everyViewAtEverySizeFillsItsRowsAndKeepsItsBorders() {
        let models = [TeachingFixtures.modeTwoCloseSendUrgent(), TeachingFixtures.modeFiveAcceptEchoClose(language: .zhTW),
                      Fixtures.tenThousandConnections()]
        for var model in models {
            for view in DashboardView.allCases {
                model.view = view
                for (width, height) in [(60, 16), (80, 24), (80, 40), (100, 30), (119, 39), (120, 24), (120, 40), (159, 45), (160, 40), (200, 60)] {
                    let grid = DashboardRenderer.render(model, width: width, height: height)
                    Snapshot.assertRowsFill(grid)
                    #expect(grid.trimmedLines.last!.hasPrefix(" 1-5"), "\(width)x\(height) \(view)")
                }
            }
        }
    }

    @Test func asciiTerminalsGetOnlyASCIIInEveryView() {
        var models = [TeachingFixtures.modeTwoCloseSendUrgent(), TeachingFixtures.modeFiveAcceptEchoClose()]
        var replay = TeachingFixtures.modeFourAcceptRecvQueueEmpty()
        replay.replay = ReplayInfo(position: 2, total: 9, speed: 0.5, playing: true, damage: "line 3: bad JSON")
        models.append(replay)
        for var model in models {
            model.asciiOnly = true
            for view in DashboardView.allCases {
                model.view = view
                for showHelp in [false, true] {
                    model.showHelp = showHelp
                    let grid = DashboardRenderer.render(model, width: 200, height: 50)
                    let odd = grid.cells.filter { $0.character.unicodeScalars.contains { $0.value >= 0x80 } }.map(\.character)
                    // The header's exercise title is the one place Chinese stays out of: see HeaderPane.
                    #expect(odd.isEmpty, "\(view) help \(showHelp): \(String(odd.prefix(20)))")
                }
            }
        }
    }

    @Test func layoutBoxesStayOnScreenAndShareBorders() throws {
        for (width, height) in [(60, 16), (80, 40), (120, 24), (160, 40), (160, 16), (240, 70)] {
            let layout = try #require(Layout.compute(width: width, height: height, headerLines: 3, hasStatus: true))
            for box in layout.boxes {
                #expect(box.x >= 0 && box.y >= 3 && box.maxX <= width && box.maxY <= height - 2, "\(box) in \(width)x\(height)")
                #expect(box.height >= 3, "\(box) in \(width)x\(height)")
            }
            let bottom = max(layout.log.maxY, layout.dock?.maxY ?? 0, layout.sourceColumn?.maxY ?? 0)
            #expect(bottom == height - 2)
            #expect(layout.lastCall.maxY - 1 == layout.queues.y)
        }
    }
}
