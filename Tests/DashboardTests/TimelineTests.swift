import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Dashboard
import SelectCore
import Testing

/// The timeline: the call history ring, the pane drawn from it, and the SVG picture.
@Suite struct TimelineTests {
    /// Mode 4, two connections: fd 5 reads then writes; a switch to mode 2 at call 6; fd 6
    /// comes back exceptional at call 7.
    static func records() -> [StepRecord] {
        [
            Fixtures.record(seq: 1, mode: .four, inputs: [3], readable: [3]),
            Fixtures.record(seq: 2, mode: .four, inputs: [3, 5], readable: [5]),
            Fixtures.record(seq: 3, mode: .four, inputs: [3, 5], outputs: [5], writable: [5]),
            Fixtures.record(seq: 4, mode: .four, inputs: [3, 5], readable: [3]),
            Fixtures.record(seq: 5, mode: .four, inputs: [3, 5, 6], outputs: [5], readable: [5], writable: [5]),
            Fixtures.record(seq: 6, mode: .two, inputs: [3, 5, 6], outputs: [6]),
            Fixtures.record(seq: 7, mode: .two, backend: .poll, inputs: [3, 5, 6], readable: [6], exceptional: [6]),
        ]
    }

    // MARK: - The history

    @Test func historyKeepsTheLastCallsOldestFirstAndIgnoresARepeatedCall() {
        var history = CallHistory(capacity: 3)
        for record in Self.records() { history.append(record) }
        history.append(Self.records()[6])  // the same call again: a snapshot taken twice
        #expect(history.calls.map(\.seq) == [5, 6, 7])
        #expect(history.last?.seq == 7)
        #expect(history.calls[2].mark(of: 6) == FDMark(inInputs: true, readable: true, exceptional: true))
        #expect(history.calls[0].mark(of: 5) == FDMark(inInputs: true, inOutputs: true, readable: true, writable: true))
        #expect(history.calls[0].mark(of: 4).isEmpty, "internal fds are not the timeline's")
    }

    @Test func aFullHistoryRefilledInPlaceHoldsExactlyTheLastCalls() {
        var history = CallHistory(capacity: 3)
        var records: [StepRecord] = []
        for seq in 1...20 {
            let fds = (0..<Int32(seq % 7)).map { 3 + $0 }
            records.append(Fixtures.record(seq: seq, mode: .two, inputs: fds, outputs: Array(fds.prefix(2)),
                                           readable: Array(fds.suffix(1)), exceptional: seq % 5 == 0 ? [3] : []))
            history.append(records[seq - 1])
            #expect(history.calls == records.suffix(3).map { CallMarks($0) }, "after call \(seq)")
        }
    }

    // MARK: - The pane

    private func pane(_ model: DashboardModel, width: Int = 40, height: Int = 8, selectedFD: Int32? = nil) -> TextGrid {
        var model = model
        model.selection = selectedFD
        return PaneHarness.draw(width: width, height: height, ascii: model.asciiOnly) { grid, box in
            TimelinePane.draw(RenderContext(model), box: box, on: &grid)
        }
    }

    private func model(position: Int? = nil) -> DashboardModel {
        let records = Self.records()
        var server = Fixtures.server(mode: .two)
        server.lastRecord = records[(position ?? records.count) - 1]
        var model = DashboardModel(server: server, view: .timeline)
        model.history = CallHistory(records)
        return model
    }

    @Test func paneDrawsOneRowPerFdAndOneColumnPerCallWithTheLegend() {
        let grid = pane(model())
        #expect(grid.trimmedLines == [
            "┌ timeline #1-7 ───────────────────────┐",
            "│call      2▼                          │",
            "│3L   R··R···                          │",
            "│5     RW·B··                          │",
            "│6        ·oX                          │",
            "│                                      │",
            "│· in o out R read W write B both X exc│",
            "└──────────────────────────────────────┘",
        ])
        // Calls 1-7 are columns 6-12. fd 6 came back readable and exceptional at call 7: X wins.
        #expect(grid[12, 4].role == .exceptional)
        #expect(grid[12, 1].role == .highlight, "the selected call is marked above its column")
        #expect(grid[11, 1].role == .title, "a mode change shows the new mode above its column")
        #expect(grid[6, 2].role == .readable && grid[8, 3].role == .writable)
    }

    @Test func selectedCallAndFdAreHighlighted() {
        let grid = pane(model(position: 3), selectedFD: 5)
        // Call 3 is the third column (x 6 + 2); the ruler's marker is above it, and the
        // calls after it are still drawn.
        #expect(grid[8, 1].character == "▼")
        #expect(grid.trimmedLines[3].hasPrefix("│5     RW·B··"), "\(grid.text)")
        #expect(grid[1, 3].role == .highlight, "the selected fd's label")
        #expect(grid[1, 4].role == .label)
    }

    @Test func manyFdsKeepTheSelectedOneAndSayHowManyAreCut() {
        var records: [StepRecord] = []
        for seq in 1...4 { records.append(Fixtures.record(seq: seq, mode: .three, inputs: [3] + Array(10...30), readable: [Int32(10 + seq)])) }
        var model = DashboardModel(server: Fixtures.server(mode: .three), view: .timeline)
        model.server.lastRecord = records.last
        model.history = CallHistory(records)
        let grid = pane(model, height: 8, selectedFD: 30)
        let text = grid.text
        #expect(text.contains("30"), "\(text)")
        #expect(text.contains("│30   ····"), "\(text)")
        #expect(text.contains("+19 more"), "\(text)")
    }

    @Test func tenThousandFdsPerCallStayCheapAndAreSummarised() {
        let inputs: [Int32] = [3] + (5..<10_005).map { Int32($0) }
        var records: [StepRecord] = []
        for seq in 1...CallHistory.defaultCapacity {
            records.append(Fixtures.record(seq: seq, mode: .three, inputs: inputs, readable: [Int32(5 + seq % 40)]))
        }
        var model = DashboardModel(server: Fixtures.server(mode: .three), view: .timeline)
        model.server.lastRecord = records.last
        model.history = CallHistory(records)
        let started = ContinuousClock.now
        let grid = DashboardRenderer.render(model, width: 120, height: 40)
        let took = ContinuousClock.now - started
        // One pass per list per column, not a search per cell: well under a second even in a
        // debug build (a search per cell takes minutes).
        #expect(took < .seconds(5), "\(took)")
        let text = grid.text
        #expect(text.contains("more"), "\(text)")
        #expect(text.contains("3L") && text.contains("R"), "\(text)")
    }

    @Test func aCallThatTimedOutIsMarkedOnTheRuler() {
        var model = model()
        var records = Self.records()
        records[3].readable = []
        records[3].events = [ServerEvent(kind: .timeout)]
        model.history = CallHistory(records)
        let grid = pane(model)
        #expect(grid[9, 1].character == "t" && grid[9, 1].role == .warning, "\(grid.text)")
    }

    @Test func asciiTerminalGetsAsciiMarks() {
        var model = model()
        model.asciiOnly = true
        model.language = .zhTW  // a terminal that cannot draw Chinese gets English words
        let text = pane(model).text
        #expect(text.contains("call      2v"), "\(text)")
        #expect(text.contains(". in o out"), "\(text)")
        #expect(!text.contains("輸入"))
    }

    @Test func vCyclesThroughTheTimelineBackToTheLastCall() {
        #expect(DashboardView.explain.next(traced: false) == .timeline)
        #expect(DashboardView.timeline.next(traced: false) == .lastCall)
    }

    @Test func timelineScreenGoldens() {
        var model = Fixtures.modeFourWritable()
        model.view = .timeline
        model.history = CallHistory(Self.records())
        for (width, height) in [(80, 24), (120, 40)] {
            Snapshot.assertMatches(DashboardRenderer.render(model, width: width, height: height), named: "timeline-\(width)x\(height)")
        }
        model.language = .zhTW
        Snapshot.assertMatches(DashboardRenderer.render(model, width: 80, height: 24), named: "zh-TW-timeline-80x24")
    }

    // MARK: - The SVG

    @Test func callRangesParse() {
        #expect(CallRange(parsing: "12..80") == CallRange(first: 12, last: 80))
        #expect(CallRange(parsing: "12..") == CallRange(first: 12, last: nil))
        #expect(CallRange(parsing: "..80") == CallRange(first: nil, last: 80))
        #expect(CallRange(parsing: "7") == CallRange(first: 7, last: 7))
        for bad in ["80..12", "..", "a..b", "1...3", "", "-3..4"] {
            #expect(CallRange(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func svgMarksMatchTheRecordsAndShowModeAndBackendChanges() throws {
        let records = Self.records()
        let svg = TimelineSVG.render(records.map(CallMarks.init), title: "test & <title>")
        let parsed = try ParsedSVG(svg)
        var expected: Set<String> = []
        for record in records {
            for fd in record.inputs { expected.insert("\(record.seq) \(fd) " + (record.readable.contains(fd) ? "readable" : "inputs")) }
            for fd in record.outputs { expected.insert("\(record.seq) \(fd) " + (record.writable.contains(fd) ? "writable" : "outputs")) }
            for fd in record.exceptional { expected.insert("\(record.seq) \(fd) exceptional") }
        }
        #expect(parsed.marks == expected)
        #expect(parsed.changes == ["6 mode 2", "7 backend poll"])
        #expect(parsed.title == "test & <title>")
        #expect(parsed.texts.contains("came back readable") && parsed.texts.contains("exceptional"), "the legend: \(parsed.texts)")
    }

    @Test func callsThatTimedOutGetABandAndALegendEntry() throws {
        var records = Self.records()
        records[3].events = [ServerEvent(kind: .timeout, fd: -1)]
        records[3].readable = []
        let parsed = try ParsedSVG(TimelineSVG.render(records.map(CallMarks.init), title: "timeouts"))
        #expect(parsed.timeouts == ["4"])
        #expect(parsed.texts.contains("timed out"))
        let none = try ParsedSVG(TimelineSVG.render(Self.records().map(CallMarks.init), title: "none"))
        #expect(none.timeouts.isEmpty && !none.texts.contains("timed out"))
    }

    @Test func manyFdsAreCutToTheLowestWithANote() throws {
        let records = (1...3).map { Fixtures.record(seq: $0, mode: .three, inputs: [3] + (5..<300).map { Int32($0) }, readable: [299]) }
        let parsed = try ParsedSVG(TimelineSVG.render(records.map(CallMarks.init), title: "many"))
        let fds = Set(parsed.marks.map { $0.split(separator: " ")[1] })
        #expect(fds.count == TimelineSVG.maxRows)
        #expect(fds.contains("3") && fds.contains("67") && !fds.contains("68"))
        #expect(parsed.texts.contains { $0.contains("the first 64 fds of 296") }, "\(parsed.texts.prefix(3))")
    }

    @Test func largeTracesAreCappedWithANoteAndRangesPickCalls() {
        let records = (1...450).map { Fixtures.record(seq: $0, mode: .three, inputs: [3]) }
        let capped = TimelineSVG.select(records, range: nil)
        #expect(capped.calls.count == TimelineSVG.defaultCallCap)
        #expect(capped.note?.contains("first 200 of 450") == true, "\(capped.note ?? "")")
        let picked = TimelineSVG.select(records, range: CallRange(first: 300, last: nil))
        #expect(picked.calls.map(\.seq) == Array(300...450))
        #expect(picked.note == "calls 300-450 of a trace of 450 calls")
        #expect(TimelineSVG.select(records, range: CallRange(first: 900, last: nil)).calls.isEmpty)
        #expect(TimelineSVG.select(Array(records.prefix(20)), range: nil).note == nil)
    }
}

/// A timeline SVG read back with XMLParser: `seq fd class` of every mark, the changes.
private final class ParsedSVG: NSObject, XMLParserDelegate {
    var marks: Set<String> = []
    var changes: [String] = []
    var timeouts: [String] = []
    var texts: [String] = []
    var title = ""
    private var text = ""

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else { throw CocoaError(.fileReadCorruptFile) }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        text = ""
        guard let seq = attributes["data-seq"] else { return }
        if let fd = attributes["data-fd"], let kind = attributes["class"] { marks.insert("\(seq) \(fd) \(kind)") }
        if attributes["class"] == "timeout" { timeouts.append(seq) }
        if let mode = attributes["data-mode"] { changes.append("\(seq) mode \(mode)") }
        if let backend = attributes["data-backend"] { changes.append("\(seq) backend \(backend)") }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { title = text }
        if name == "text" { texts.append(text) }
        text = ""
    }
}
