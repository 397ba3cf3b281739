@testable import Dashboard
import SelectCore
import Clients
import Testing

/// The other panes, one by one, as literal lines and roles.
@Suite struct PaneTests {
    @Test func inputsListsEachFdWithItsPeerAndMarksTheListener() {
        let model = Fixtures.modeOneGrowingQueues()
        let grid = PaneHarness.draw(width: 30, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ inputs 3 ──────────────────┐",
            "│3 listener 127.0.0.1:1234   │",
            "│5 127.0.0.1:51234           │",
            "│6 127.0.0.1:51236           │",
            "└────────────────────────────┘",
        ])
        #expect(grid.role(of: "listener") == .listener)
        #expect(grid[1, 3].role == .readable)  // fd 6 came back readable
        #expect(grid[1, 2].role == .normal)
    }

    @Test func aLongListShowsWhatFitsAndCountsTheRest() {
        let model = Fixtures.tenThousandConnections()
        let grid = PaneHarness.draw(width: 30, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ inputs 9898 ───────────────┐",
            "│3 listener 127.0.0.1:1234   │",
            "│5 127.0.0.1:20000           │",
            "│… +9896 more                │",
            "└────────────────────────────┘",
        ])
    }

    @Test func emptyOutputsSaySo() {
        let model = Fixtures.modeOneGrowingQueues()
        let grid = PaneHarness.draw(width: 32, height: 3) { grid, box in
            ListsPane.draw(.outputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == ["┌ outputs 0 ───────────────────┐", "│empty · this mode never sends │", "└──────────────────────────────┘"])
    }

    @Test func queuesShowOneRowPerConnectionInAcceptOrderWhenTheyFit() {
        let model = Fixtures.modeOneGrowingQueues()
        let grid = PaneHarness.draw(width: 64, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ queues 2 · full 0 · queued 132B · cap 64K each ──────────────┐",
            "│fd peer              msgs queued     in    out  state    depth│",
            "│ 5 127.0.0.1:51234      6    72B    72B     0B  reading       │",
            "│ 6 127.0.0.1:51236      5    60B    60B     0B  reading       │",
            "└──────────────────────────────────────────────────────────────┘",
        ])
    }

    @Test func backpressureIsAWarning() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.connections[1].state = .paused
        model.server.connections[1].queuedBytes = 65_536
        model.server.connections[1].queuedMessages = 5_462
        let grid = PaneHarness.draw(width: 80, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        // Backpressure has its own word, not the loop's PAUSED.
        #expect(grid.trimmedLines[3] == "│ 6 127.0.0.1:51236   5462    64K    60B     0B  full     ████████████         │")
        #expect(grid.role(of: "full 1") == .warning)
        #expect(grid.role(of: "full  ") == .warning)
        #expect(grid.role(of: "████") == .warning)
        #expect(grid.role(of: "reading") == .normal)
    }

    @Test func aQueuePastTheCapByOneReadSaysSo() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.connections[1].state = .paused
        model.server.connections[1].queuedBytes = 65_536 + 1_000
        let grid = PaneHarness.draw(width: 80, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines[0].contains("cap 64K each"), "\(grid.text)")
        #expect(grid.trimmedLines[3].hasSuffix("65K  full     ██████ +1000B over │") || grid.trimmedLines[3].contains("over"), "\(grid.text)")
        #expect(grid.role(of: "+") == .warning)
        model.language = .zhTW
        let chinese = PaneHarness.draw(width: 80, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(chinese.text.contains("每條上限 64K") && chinese.text.contains("超出"), "\(chinese.text)")
    }

    @Test func queuesSortDeepestFirstWhenTheyDoNotFitAndScroll() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.connections = (0..<6).map { i in
            Fixtures.connection(Int32(5 + i), port: 50_000 + i, messages: [3, 9, 1, 7, 0, 9][i])
        }
        func rows(scroll: Int) -> [String] {
            model.scroll = scroll
            let grid = PaneHarness.draw(width: 72, height: 5) { grid, box in
                QueuesPane.draw(RenderContext(model), box: box, on: &grid)
            }
            return grid.trimmedLines
        }
        let top = rows(scroll: 0)
        #expect(top[0].contains("deepest first") && top[0].hasSuffix("1-2/6 ┐"))
        #expect(top[2].hasPrefix("│ 6 127.0.0.1:50001      9   108B"))
        #expect(top[3].hasPrefix("│10 127.0.0.1:50005      9   108B"))  // same depth: lower fd first
        let next = rows(scroll: 2)
        #expect(next[2].hasPrefix("│ 8 127.0.0.1:50003      7    84B"))
        #expect(next[3].hasPrefix("│ 5 127.0.0.1:50000      3    36B"))
        // Scrolling past the end shows the last page.
        #expect(rows(scroll: 99)[0].hasSuffix("5-6/6 ┐"))
        #expect(rows(scroll: -3)[0].hasSuffix("1-2/6 ┐"))
    }

    @Test func clientsShowPidKindStateAndLastLine() {
        var model = Fixtures.modeFourWritable()
        model.clients.append(ClientRow(id: 3, pid: 41300, kind: .flood, state: .exited, lastLine: "", exitDescription: "signal 15"))
        let grid = PaneHarness.draw(width: 46, height: 5) { grid, box in
            ClientsPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ clients 3 · every 3.0s ────────────────────┐",
            "│41230 echo   running  b'Hello, world'       │",
            "│41236 echo   running  b'Hello, world'       │",
            "│41300 flood  exited   signal 15             │",
            "└────────────────────────────────────────────┘",
        ])
        #expect(grid.role(of: "41300") == .dim)
    }

    @Test func narrowClientsPaneKeepsTheNewestAndTheirLastLine() {
        var model = Fixtures.modeFourWritable()
        model.clients.append(ClientRow(id: 3, pid: 41300, kind: .oob, state: .running, lastLine: "b'Hello, world'"))
        let grid = PaneHarness.draw(width: 32, height: 4) { grid, box in
            ClientsPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ clients 3 · every 3.0s ──────┐",
            "│… +2 more                     │",
            "│41300 oob    b'Hello, world'  │",
            "└──────────────────────────────┘",
        ])
    }

    @Test func logShowsTheSeedsWordsNewestLast() {
        let model = Fixtures.modeFourWritable()
        let grid = PaneHarness.draw(width: 60, height: 4) { grid, box in
            LogPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines == [
            "┌ log ─────────────────────────────────────────────────────┐",
            "│#17 sending b'Hello, world' to ('127.0.0.1', 51234)       │",
            "│#17 output queue for ('127.0.0.1', 51234) is empty        │",
            "└──────────────────────────────────────────────────────────┘",
        ])
    }

    @Test func logLinesAreCutToTheWidth() {
        let model = Fixtures.modeFourWritable()
        let grid = PaneHarness.draw(width: 30, height: 3) { grid, box in
            LogPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines[1] == "│#17 output queue for ('127.…│")
    }

    @Test func headerNamesModeBackendAddressAndCounters() {
        let grid = DashboardRenderer.render(Fixtures.modeFourWritable(), width: 80, height: 24)
        #expect(grid.trimmedLines[0] == "mode 4  練習4 使用writefds來傳送                  backend select  127.0.0.1:1234")
        #expect(grid.trimmedLines[1] == "calls 17  timeouts 0  conns 2  in 3.4K  out 3.4K                         RUNNING")
        #expect(grid.role(of: "mode 4") == .title)
    }

    @Test func headerShowsPausedAndSteppingAndReplay() {
        var model = Fixtures.pausedBeforeCall()
        #expect(DashboardRenderer.render(model, width: 100, height: 24).trimmedLines[1].hasSuffix("PAUSED  space: step  enter: resume"))
        model.server.runState = .stepping
        model.server.backend = .epoll
        #expect(DashboardRenderer.render(model, width: 80, height: 24).trimmedLines[1].hasSuffix("waiting in epoll_wait()..."))
        model.replay = ReplayInfo(position: 3, total: 9, speed: 0.5)
        #expect(DashboardRenderer.render(model, width: 100, height: 24).trimmedLines[1].hasSuffix("REPLAY call 3/9 · 0.5x · paused"))
    }

    @Test func theListenersAcceptQueueIsOnItsRowOrInTheTitle() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.listenerPending = 2
        let wide = PaneHarness.draw(width: 42, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(wide.trimmedLines[0] == "┌ inputs 3 ──────────────────────────────┐")
        #expect(wide.trimmedLines[1] == "│3 listener 127.0.0.1:1234 (2 pending)   │")
        #expect(wide.role(of: "(2 pending)") == .warning)
        let narrow = PaneHarness.draw(width: 30, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(narrow.trimmedLines[0] == "┌ inputs 3 · 2 pending ──────┐")
        #expect(narrow.trimmedLines[1] == "│3 listener 127.0.0.1:1234   │")
        model.language = .zhTW
        let chinese = PaneHarness.draw(width: 42, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(chinese.trimmedLines[1] == "│3 監聽 127.0.0.1:1234（2 待接受）       │")
        // Nothing pending, or not sampled: nothing said.
        model.server.listenerPending = 0
        let none = PaneHarness.draw(width: 42, height: 5) { grid, box in
            ListsPane.draw(.inputs, RenderContext(model), box: box, on: &grid)
        }
        #expect(!none.text.contains("待接受"))
    }

    @Test func kernelQueuesSitBesideTheAppsOwn() {
        var model = Fixtures.modeOneGrowingQueues()
        model.server.connections[0].kernelUnread = 2048
        model.server.connections[0].kernelUnsent = 12
        model.server.connections[1].kernelUnread = 0
        model.server.connections[1].kernelUnsent = 0
        let grid = PaneHarness.draw(width: 80, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(grid.trimmedLines[1] == "│fd peer              msgs queued     in    out  state     rcvq   sndq  depth  │")
        #expect(grid.trimmedLines[2] == "│ 5 127.0.0.1:51234      6    72B    72B     0B  reading   2.0K    12B         │")
        model.language = .zhTW
        let chinese = PaneHarness.draw(width: 80, height: 5) { grid, box in
            QueuesPane.draw(RenderContext(model), box: box, on: &grid)
        }
        #expect(chinese.trimmedLines[1] == "│fd 對方              訊息   排隊     收     送  狀態   核心收 核心送  深度    │")
        #expect(chinese.trimmedLines[2] == "│ 5 127.0.0.1:51234      6    72B    72B     0B  讀取中   2.0K    12B          │")
    }

    @Test func statusLineSitsAboveTheKeyBar() {
        var model = Fixtures.modeFourWritable()
        model.status = "no client to close"
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.trimmedLines[22] == "no client to close")
        #expect(grid.trimmedLines[23].hasPrefix(" 1-5 mode"))
        #expect(grid.trimmedLines[21].hasPrefix("└"))
    }
}
