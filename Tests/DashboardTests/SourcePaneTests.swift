@testable import Dashboard
import SelectCore
import Teaching
import Testing

/// The source pane: the seed's code for the mode, the lines the last call ran highlighted.
@Suite struct SourcePaneTests {
    typealias Branch = TeachingFixtures.Branch

    /// The highlighted lines of `mode`'s code for a call taking `branch`, trimmed.
    static func highlighted(_ branch: Branch, mode: Mode) -> [String] {
        let map = SourceMap(mode: mode)
        let record = TeachingFixtures.call(branch, mode: mode)
        return map.highlightedLines(for: record).sorted().map { map.lines[$0].trimmingCharacters(in: " ") }
    }

    /// The select call and the three prints after it (mode 5: the call only).
    static func selectLines(_ mode: Mode) -> [String] {
        mode == .five
            ? ["readable, writable, exceptional = select(inputs, outputs, inputs, 2)"]
            : ["readable, writable, exceptional = select(inputs, outputs, inputs)", "print('readable:', readable)",
               "print('writable:', writable)", "print('exceptional:', exceptional)"]
    }

    private func expect(_ branch: Branch, mode: Mode, lit: [String], unlit: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = Self.highlighted(branch, mode: mode)
        for line in lit + Self.selectLines(mode) {
            #expect(lines.contains(line), "mode \(mode.rawValue) \(branch): `\(line)` should be highlighted", sourceLocation: sourceLocation)
        }
        for line in unlit {
            #expect(!lines.contains(line), "mode \(mode.rawValue) \(branch): `\(line)` should not be highlighted", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Mode.allCases) func acceptHighlightsTheAcceptBranch(mode: Mode) {
        expect(.accept, mode: mode,
               lit: ["for s in readable:", "if s is server:", "connection, client_address = s.accept()",
                     "print('connection from', client_address)", "inputs.append(connection)", "message_queues[connection] = []"],
               unlit: ["data = s.recv(1024)", "print('closing', client_address)", "print('timeout')"])
    }

    @Test(arguments: Mode.allCases) func recvHighlightsTheDataBranch(mode: Mode) {
        var lit = ["for s in readable:", "else:", "data = s.recv(1024)", "if data:", "print('received', data, 'from', s.getpeername())"]
        var unlit = ["connection, client_address = s.accept()", "print('closing', client_address)", "print('socket error')"]
        switch mode.dataHandling {
        case .queueOnly:
            lit.append("message_queues[s].append(data)")
        case .queueForWritable:
            lit += ["message_queues[s].append(data)", "if s not in outputs:", "outputs.append(s)"]
            unlit.append("print('sending', next_msg, 'to', s.getpeername())")
        case .echoDirectly:
            lit += ["try:", "s.send(data)"]
        }
        expect(.recv, mode: mode, lit: lit, unlit: unlit)
    }

    @Test(arguments: Mode.allCases) func emptyRecvHighlightsTheClosingBranch(mode: Mode) {
        expect(.emptyRecvClose, mode: mode,
               lit: ["data = s.recv(1024)", "if data:", "print('closing', client_address)", "inputs.remove(s)", "s.close()",
                     "del message_queues[s]"],
               unlit: ["print('received', data, 'from', s.getpeername())", "connection, client_address = s.accept()"])
    }

    @Test(arguments: [Mode.two, .four]) func writableHighlightsTheSendBranch(mode: Mode) {
        expect(.writableSend, mode: mode,
               lit: ["for s in writable:", "next_msg = message_queues[s][0]", "print('sending', next_msg, 'to', s.getpeername())",
                     "s.send(next_msg)", "message_queues[s].pop(0)"],
               unlit: ["print('output queue for', s.getpeername(), 'is empty')", "data = s.recv(1024)", "for s in readable:"])
    }

    @Test(arguments: [Mode.two, .four]) func emptyQueueHighlightsTheIndexErrorBranch(mode: Mode) {
        expect(.queueEmpty, mode: mode,
               lit: ["for s in writable:", "next_msg = message_queues[s][0]", "except IndexError:",
                     "print('output queue for', s.getpeername(), 'is empty')", "outputs.remove(s)"],
               unlit: ["print('sending', next_msg, 'to', s.getpeername())", "s.send(next_msg)"])
    }

    @Test func timeoutHighlightsTheTimeoutBranchOfExerciseFive() {
        expect(.timeout, mode: .five,
               lit: ["if not (readable or writable or exceptional):", "print('timeout')", "continue"],
               unlit: ["for s in readable:", "data = s.recv(1024)"])
        #expect(Self.highlighted(.timeout, mode: .five).count == 4)
    }

    @Test(arguments: [Mode.two, .four]) func urgentDataHighlightsTheExceptionalBranch(mode: Mode) {
        expect(.urgent, mode: mode,
               lit: ["for s in exceptional:", "print('handling exceptional condition for', s.getpeername())"],
               unlit: ["for s in readable:", "for s in writable:"])
    }

    @Test(arguments: [Mode.one, .three, .five]) func modesWithoutAnExceptionalBranchHighlightOnlyTheCall(mode: Mode) {
        #expect(Self.highlighted(.urgent, mode: mode) == Self.selectLines(mode))
    }

    @Test(arguments: [Mode.three, .four, .five]) func recvResetHighlightsTheSocketErrorBranchThenClosing(mode: Mode) {
        expect(.recvReset, mode: mode,
               lit: ["try:", "data = s.recv(1024)", "except socket.error:", "print('socket error')", "data = None",
                     "print('closing', client_address)"],
               unlit: ["print('received', data, 'from', s.getpeername())"])
    }

    @Test func writableResetHighlightsTheConnectionResetBranchOfExerciseFour() {
        expect(.writableReset, mode: .four,
               lit: ["for s in writable:", "except ConnectionResetError:", "print('closing', s.getpeername())"],
               unlit: ["print('sending', next_msg, 'to', s.getpeername())", "print('closing', client_address)"])
    }

    @Test func aResetOnOneFdDoesNotHideAnotherFdsClosing() {
        // fd 5 fails on the writable path, fd 6 on recv: both branches ran.
        let record = Fixtures.record(seq: 3, mode: .four, inputs: [3, 5, 6], outputs: [5], readable: [6], writable: [5],
                                     events: [TeachingFixtures.event(.close, 6, reason: .error, detail: "ECONNRESET"),
                                              TeachingFixtures.event(.close, 5, reason: .error, detail: "EPIPE")])
        let map = SourceMap(mode: .four)
        let lines = map.highlightedLines(for: record).map { map.lines[$0].trimmingCharacters(in: " ") }
        #expect(lines.contains("print('closing', client_address)"))
        #expect(lines.contains("except ConnectionResetError:"))
    }

    // MARK: - The pane

    @Test func thePaneMarksAndHighlightsTheLinesThatRan() throws {
        let model = TeachingFixtures.model(TeachingFixtures.call(.accept, mode: .four, seq: 30), view: .source)
        let grid = PaneHarness.draw(width: 60, height: 14) { grid, box in
            SourcePane.draw(RenderContext(model), box: box, on: &grid)
        }
        let lines = grid.trimmedLines
        #expect(lines[0] == "┌ source 練習4 使用writefds來傳送 ──────────────────── #30 ┐")
        // The select call (17-20) and the accept branch (21-27) fit whole, a lead-in above.
        #expect(lines[1] == "│16 while inputs:                                          │")
        // 58 columns are too few for the longest line at four spaces a level: two it is.
        #expect(lines[2] == "│17▸  readable, writable, exceptional = select(inputs, out…│")
        #expect(lines[8] == "│23▸      connection, client_address = s.accept()          │")
        #expect(lines[12] == "│27▸      message_queues[connection] = []                  │")
        let accept = try #require(grid.locate("connection, client_address = s.accept()"))
        #expect(grid[accept.x, accept.y].role == .highlight)
        #expect(grid[1, accept.y].role == .highlight)   // the line number
        #expect(grid[58, accept.y].role == .highlight)  // the bar runs to the border
        #expect(grid[4, 1].role == .normal)             // `while inputs:` did not run this call
        #expect(grid[1, 1].role == .dim)
    }

    @Test func theHighlightedLinesAreScrolledIntoView() {
        // The writable branch sits at lines 48-64 of 73: far below the first rows.
        for height in [6, 11, 16] {
            let model = TeachingFixtures.model(TeachingFixtures.call(.writableSend, mode: .four), view: .source)
            let grid = PaneHarness.draw(width: 70, height: height) { grid, box in
                SourcePane.draw(RenderContext(model), box: box, on: &grid)
            }
            #expect(grid.locate("s.send(next_msg)") != nil, "height \(height)")
            #expect(grid.locate("server.listen(5)") == nil)
        }
    }

    @Test func switchingModeSwitchesTheCode() {
        var model = TeachingFixtures.model(TeachingFixtures.call(.recv, mode: .three), view: .source)
        let three = DashboardRenderer.render(model, width: 120, height: 40).text
        #expect(three.contains("source 練習3 服務多個client的echo server"))
        #expect(three.split(separator: "\n").contains { $0.contains("s.send(data)") && $0.contains("▸") })
        // Switched to 5, no call made yet: exercise 5's code, nothing highlighted.
        model.server.mode = .five
        let five = DashboardRenderer.render(model, width: 120, height: 40).text
        #expect(five.contains("source 練習5 使用timeout"))
        #expect(five.contains("no call in this mode yet"))
        #expect(!five.contains("▸"))
        #expect(five.contains("select(inputs, outputs, inputs, 2)"))
    }

    @Test func noCallYetShowsTheLoopUnhighlighted() {
        var model = TeachingFixtures.model(TeachingFixtures.call(.recv, mode: .two), view: .source)
        model.server.lastRecord = nil
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.text.contains("while inputs:"))
        #expect(!grid.text.contains("▸"))
    }

    @Test func aNarrowPaneHalvesTheIndentAndCutsLongLines() {
        let model = TeachingFixtures.model(TeachingFixtures.call(.recv, mode: .two), view: .source)
        let narrow = PaneHarness.draw(width: 40, height: 12) { grid, box in SourcePane.draw(RenderContext(model), box: box, on: &grid) }
        #expect(narrow.text.contains("│29▸      data = s.recv(1024)"))  // 12 spaces of indent became 6
        #expect(narrow.text.contains("…│"))
        let wide = PaneHarness.draw(width: 80, height: 12) { grid, box in SourcePane.draw(RenderContext(model), box: box, on: &grid) }
        #expect(wide.text.contains("│29▸            data = s.recv(1024)"))
        #expect(!wide.text.contains("…"))
    }

    @Test func asciiTerminalsGetAnEnglishTitleAndPlainMarks() {
        var model = TeachingFixtures.model(TeachingFixtures.call(.accept, mode: .four), view: .source)
        model.asciiOnly = true
        let text = DashboardRenderer.render(model, width: 120, height: 40).text
        #expect(text.contains("source exercise 4: send through writefds"))
        #expect(text.contains("|23>            connection, client_address = s.accept()"))
        #expect(text.contains("#30 +"))
    }

    @Test func chineseTitleUsesChineseWords() {
        let model = TeachingFixtures.model(TeachingFixtures.call(.accept, mode: .four), view: .source, language: .zhTW)
        let grid = DashboardRenderer.render(model, width: 80, height: 24)
        #expect(grid.text.contains("原始碼 練習4 使用writefds來傳送"))
        Snapshot.assertRowsFill(grid)
    }
}

/// Which lines fit: the window, the folds, the counts of what stays hidden.
@Suite struct SourceWindowTests {
    static let code = (0..<60).map { "line \($0)" }

    private func lines(_ window: SourceWindow) -> [String] {
        window.rows.map {
            switch $0 {
            case .line(let index): return "\(index)"
            case .gap(let start, let count): return "gap \(start)+\(count)"
            }
        }
    }

    @Test func shortCodeIsShownWhole() {
        let window = SourceWindow.make(lines: Array(Self.code.prefix(5)), highlighted: [2], branch: [2], anchor: 0, rows: 9)
        #expect(lines(window) == ["0", "1", "2", "3", "4"])
    }

    @Test func highlightedLinesThatFitAreCentred() {
        let window = SourceWindow.make(lines: Self.code, highlighted: [30, 31, 32], branch: [31, 32], anchor: 16, rows: 7)
        #expect(lines(window) == ["28", "29", "30", "31", "32", "33", "34"])
        #expect(window.hiddenAbove == 0 && window.hiddenBelow == 0)
    }

    @Test func windowsStayInsideTheCode() {
        #expect(lines(SourceWindow.make(lines: Self.code, highlighted: [58, 59], branch: [], anchor: 0, rows: 4)) == ["56", "57", "58", "59"])
        #expect(lines(SourceWindow.make(lines: Self.code, highlighted: [0], branch: [], anchor: 0, rows: 3)) == ["0", "1", "2"])
    }

    @Test func nothingHighlightedShowsTheAnchor() {
        #expect(lines(SourceWindow.make(lines: Self.code, highlighted: [], branch: [], anchor: 16, rows: 3)) == ["15", "16", "17"])
    }

    @Test func distantBranchesAreFoldedBetween() {
        let window = SourceWindow.make(lines: Self.code, highlighted: [10, 11, 40, 41], branch: [40, 41], anchor: 10, rows: 6)
        #expect(lines(window) == ["9", "10", "11", "gap 12+28", "40", "41"])
        #expect(window.hiddenAbove == 0 && window.hiddenBelow == 0)
    }

    @Test func roomToSpareUnfoldsTheShortestGapsFirst() {
        let window = SourceWindow.make(lines: Self.code, highlighted: [10, 14, 40], branch: [14, 40], anchor: 10, rows: 9)
        // Gap 11-13 (3 lines) unfolds for 2 more rows; gap 15-39 stays folded.
        #expect(lines(window) == ["9", "10", "11", "12", "13", "14", "gap 15+25", "40", "41"])
    }

    @Test func withoutRoomTheSelectLinesGiveWayToTheBranch() {
        let window = SourceWindow.make(lines: Self.code, highlighted: [16, 17, 18, 30, 31, 32, 33], branch: [30, 31, 32, 33], anchor: 16, rows: 5)
        #expect(lines(window) == ["29", "30", "31", "32", "33"])
        #expect(window.hiddenAbove == 3 && window.hiddenBelow == 0)
    }

    @Test func whenNothingFitsTheWindowHoldsMostOfTheBranchBodies() {
        let code = Self.code.enumerated().map { $0.offset == 20 || $0.offset == 40 ? "    else:" : $0.element }
        // Two branches of four lines each, 20 apart; a head line ("else:") counts less.
        let window = SourceWindow.make(lines: code, highlighted: [20, 21, 22, 23, 40, 41, 42, 43, 44], branch: [20, 21, 22, 23, 40, 41, 42, 43, 44],
                                       anchor: 0, rows: 4)
        #expect(lines(window) == ["41", "42", "43", "44"])
        #expect(window.hiddenAbove == 5 && window.hiddenBelow == 0)
    }

    @Test func noRowsNoLines() {
        #expect(SourceWindow.make(lines: Self.code, highlighted: [3], branch: [3], anchor: 0, rows: 0).rows.isEmpty)
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
