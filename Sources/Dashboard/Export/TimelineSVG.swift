import SelectCore

/// Which calls of a trace to draw: `--calls A..B` (seq numbers, both ends included; either
/// end may be left out).
public struct CallRange: Sendable, Equatable {
    public var first: Int?
    public var last: Int?

    public init(first: Int?, last: Int?) {
        self.first = first
        self.last = last
    }

    /// `12..80`, `12..`, `..80`, or one call `12`. Nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "..", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        func number(_ part: String) -> Int?? {
            if part.isEmpty { return .some(nil) }
            guard let value = Int(part), value >= 0 else { return nil }
            return .some(value)
        }
        if parts.count == 1 {
            guard let value = Int(parts[0]), value >= 0 else { return nil }
            self.init(first: value, last: value)
            return
        }
        guard parts.count == 2, let first = number(parts[0]), let last = number(parts[1]) else { return nil }
        if let first, let last, first > last { return nil }
        if first == nil && last == nil { return nil }
        self.init(first: first, last: last)
    }

    public func contains(_ seq: Int) -> Bool {
        (first.map { seq >= $0 } ?? true) && (last.map { seq <= $0 } ?? true)
    }
}

/// The timeline as an SVG picture, for slides and reports: one row per fd, one column per
/// call. Each cell has two halves, the read side above (in `inputs`; filled when it came
/// back readable) and the write side below (in `outputs`; filled when writable); an
/// exceptional fd gets a red dot. Mode and backend changes are dashed lines with the new
/// value on top; the seq numbers run along the bottom; a legend explains the marks.
///
/// Every mark carries `data-seq`, `data-fd` and a class naming what it shows (`inputs`,
/// `readable`, `outputs`, `writable`, `exceptional`), so the picture can be checked
/// against the trace it came from.
public enum TimelineSVG {
    /// Calls drawn when no range is given: beyond this the columns get too thin to read.
    public static let defaultCallCap = 200
    /// fd rows drawn at most.
    public static let maxRows = 64

    /// Colours: the read side blue, the write side orange, exceptional red, as on screen.
    enum Colour {
        static let inputs = "#d6e6f5"
        static let readable = "#1f6fb4"
        static let outputs = "#fbe0c4"
        static let writable = "#e07b10"
        static let exceptional = "#d62728"
        static let change = "#555555"
        static let grid = "#e4e4e4"
        static let text = "#222222"
        static let faint = "#777777"
        static let band = "#f6f6f6"
        static let timeout = "#e9e9e9"
    }

    /// The SVG document for `calls` (oldest first). `title` heads the picture, `note` (if
    /// any) goes under it, e.g. that only part of the trace is drawn.
    public static func render(_ calls: [CallMarks], title: String, note: String? = nil) -> String {
        var fds = FDRows.touched(by: calls)
        let listeners = Set(calls.map(\.listener))
        fds = fds.filter { listeners.contains($0) } + fds.filter { !listeners.contains($0) }
        // A picture of thousands of rows is neither readable nor small: the lowest fds are drawn.
        var note = note
        if fds.count > maxRows {
            let cut = fds.count - maxRows
            fds = Array(fds.prefix(maxRows))
            note = (note.map { $0 + "; " } ?? "") + "the first \(maxRows) fds of \(maxRows + cut) (fd \(fds.last!) and below)"
        }

        let cellWidth = min(22, max(3, 1400 / max(1, calls.count)))
        let cellHeight = min(26, max(6, 640 / max(1, fds.count)))
        let left = 118
        let top = note == nil ? 86 : 104
        let plotWidth = cellWidth * calls.count
        let plotHeight = cellHeight * fds.count
        let axis = 44
        let legendHeight = 46
        let hasTimeouts = calls.contains(where: \.timedOut)
        let legendWords = ["in inputs", "came back readable", "in outputs", "came back writable", "exceptional", "mode / backend change"]
            + (hasTimeouts ? ["timed out"] : [])
        let legendWidth = 24 + legendWords.reduce(0) { $0 + Self.legendEntryWidth($1) }
        let width = max(left + plotWidth + 36, legendWidth, 640)
        let height = top + plotHeight + axis + legendHeight

        var svg = SVGText()
        svg.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", "\(width)"), ("height", "\(height)"),
                         ("viewBox", "0 0 \(width) \(height)"), ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif")])
        svg.element("title", text: title)
        svg.element("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        svg.element("text", [("x", "24"), ("y", "34"), ("font-size", "20"), ("font-weight", "bold"), ("fill", Colour.text)], text: title)
        if let note {
            svg.element("text", [("x", "24"), ("y", "58"), ("font-size", "13"), ("fill", Colour.faint)], text: note)
        }

        // Row bands and fd labels.
        let labelEvery = max(1, Int((12.0 / Double(cellHeight)).rounded(.up)))
        svg.open("g", [("class", "rows")])
        for (row, fd) in fds.enumerated() {
            let y = top + row * cellHeight
            if row % 2 == 0 {
                svg.element("rect", [("x", "\(left)"), ("y", "\(y)"), ("width", "\(plotWidth)"), ("height", "\(cellHeight)"), ("fill", Colour.band)])
            }
            guard row % labelEvery == 0 else { continue }
            let name = listeners.contains(fd) ? "fd \(fd) listener" : "fd \(fd)"
            svg.element("text", [("x", "\(left - 8)"), ("y", "\(y + cellHeight / 2 + 4)"), ("font-size", "\(min(13, cellHeight))"),
                                 ("text-anchor", "end"), ("fill", Colour.text), ("class", "fd-label"), ("data-fd", "\(fd)")], text: name)
        }
        svg.close("g")

        // Behind the marks: a faint line at each labelled call, and a grey band over each call
        // that timed out (nothing ready before its timeout).
        let step = Self.labelStep(cellWidth: cellWidth)
        svg.open("g", [("class", "background")])
        for (column, call) in calls.enumerated() {
            let x = left + column * cellWidth
            if call.timedOut {
                svg.element("rect", [("class", "timeout"), ("data-seq", "\(call.seq)"), ("x", "\(x)"), ("y", "\(top)"), ("width", "\(cellWidth)"),
                                     ("height", "\(plotHeight)"), ("fill", Colour.timeout)])
            }
            if call.seq % step == 0 {
                let middle = x + cellWidth / 2
                svg.element("line", [("x1", "\(middle)"), ("y1", "\(top)"), ("x2", "\(middle)"), ("y2", "\(top + plotHeight)"),
                                     ("stroke", Colour.grid), ("stroke-width", "1")])
            }
        }
        svg.close("g")

        // The marks.
        let half = max(2, cellHeight / 2 - 1)
        let inset = cellWidth >= 6 ? 1 : 0
        svg.open("g", [("class", "marks")])
        let rows = FDRows(fds)
        for (column, call) in calls.enumerated() {
            let x = left + column * cellWidth + inset
            let w = cellWidth - 2 * inset
            let marks = rows.marks(of: call)
            for (row, fd) in fds.enumerated() {
                let mark = marks[row]
                if mark.isEmpty { continue }
                let y = top + row * cellHeight + 1
                let data = [("data-seq", "\(call.seq)"), ("data-fd", "\(fd)")]
                if mark.inInputs || mark.readable {
                    let kind = mark.readable ? "readable" : "inputs"
                    svg.element("rect", [("class", kind), ("x", "\(x)"), ("y", "\(y)"), ("width", "\(w)"), ("height", "\(half)"),
                                         ("fill", mark.readable ? Colour.readable : Colour.inputs)] + data)
                }
                if mark.inOutputs || mark.writable {
                    let kind = mark.writable ? "writable" : "outputs"
                    svg.element("rect", [("class", kind), ("x", "\(x)"), ("y", "\(y + half)"), ("width", "\(w)"), ("height", "\(half)"),
                                         ("fill", mark.writable ? Colour.writable : Colour.outputs)] + data)
                }
                if mark.exceptional {
                    let radius = max(3.5, Double(min(cellWidth, cellHeight)) / 2.4)
                    svg.element("circle", [("class", "exceptional"), ("cx", "\(Double(x) + Double(w) / 2)"),
                                           ("cy", "\(Double(y) + Double(half))"), ("r", "\(radius)"), ("fill", Colour.exceptional),
                                           ("stroke", "#ffffff"), ("stroke-width", "1")] + data)
                }
            }
        }
        svg.close("g")

        // Mode and backend changes: a dashed line before the call, the new value above.
        svg.open("g", [("class", "changes")])
        if let first = calls.first {
            svg.element("text", [("class", "start"), ("x", "\(left)"), ("y", "\(top - 18)"), ("font-size", "12"), ("fill", Colour.change)],
                        text: "mode \(first.mode.rawValue), \(first.backend.rawValue)")
        }
        var lastLabelX = left
        for column in calls.indices.dropFirst() {
            let call = calls[column]
            let before = calls[column - 1]
            var words: [String] = []
            if call.mode != before.mode { words.append("mode \(call.mode.rawValue)") }
            if call.backend != before.backend { words.append(call.backend.rawValue) }
            guard !words.isEmpty else { continue }
            let x = left + column * cellWidth
            var attributes = [("class", "change"), ("data-seq", "\(call.seq)"), ("x1", "\(x)"), ("y1", "\(top - 14)"), ("x2", "\(x)"),
                              ("y2", "\(top + plotHeight)"), ("stroke", Colour.change), ("stroke-width", "1.5"), ("stroke-dasharray", "4 3")]
            if call.mode != before.mode { attributes.append(("data-mode", "\(call.mode.rawValue)")) }
            if call.backend != before.backend { attributes.append(("data-backend", call.backend.rawValue)) }
            svg.element("line", attributes)
            // Labels that would overlap the previous one step down a line.
            let y = x - lastLabelX < 70 ? top - 4 : top - 18
            svg.element("text", [("x", "\(x + 3)"), ("y", "\(y)"), ("font-size", "12"), ("fill", Colour.change)], text: words.joined(separator: ", "))
            lastLabelX = x
        }
        svg.close("g")

        // The seq axis: a label every so many calls, at least ~48 px apart.
        let axisY = top + plotHeight
        svg.element("line", [("x1", "\(left)"), ("y1", "\(axisY)"), ("x2", "\(left + plotWidth)"), ("y2", "\(axisY)"), ("stroke", Colour.faint)])
        svg.open("g", [("class", "axis")])
        for (column, call) in calls.enumerated() where call.seq % step == 0 || (column == 0 && calls.count < 3) {
            let x = left + column * cellWidth + cellWidth / 2
            svg.element("line", [("x1", "\(x)"), ("y1", "\(axisY)"), ("x2", "\(x)"), ("y2", "\(axisY + 5)"), ("stroke", Colour.faint)])
            svg.element("text", [("class", "seq-label"), ("x", "\(x)"), ("y", "\(axisY + 19)"), ("font-size", "12"), ("text-anchor", "middle"),
                                 ("fill", Colour.text)], text: "\(call.seq)")
        }
        svg.element("text", [("x", "\(left - 8)"), ("y", "\(axisY + 19)"), ("font-size", "12"), ("text-anchor", "end"), ("fill", Colour.faint)],
                    text: "call #")
        svg.close("g")

        // The legend.
        let legendY = axisY + axis
        svg.open("g", [("class", "legend")])
        var x = 24
        let swatch = 14
        func entry(_ shape: (inout SVGText, Int) -> Void, _ text: String) {
            shape(&svg, x)
            svg.element("text", [("x", "\(x + swatch + 6)"), ("y", "\(legendY + 12)"), ("font-size", "13"), ("fill", Colour.text)], text: text)
            x += Self.legendEntryWidth(text)
        }
        func box(_ fill: String, upper: Bool) -> (inout SVGText, Int) -> Void {
            { svg, x in
                svg.element("rect", [("x", "\(x)"), ("y", "\(legendY)"), ("width", "\(swatch)"), ("height", "\(swatch)"),
                                     ("fill", "none"), ("stroke", Colour.grid)])
                svg.element("rect", [("x", "\(x)"), ("y", "\(legendY + (upper ? 0 : swatch / 2))"), ("width", "\(swatch)"),
                                     ("height", "\(swatch / 2)"), ("fill", fill)])
            }
        }
        entry(box(Colour.inputs, upper: true), "in inputs")
        entry(box(Colour.readable, upper: true), "came back readable")
        entry(box(Colour.outputs, upper: false), "in outputs")
        entry(box(Colour.writable, upper: false), "came back writable")
        entry({ svg, x in
            svg.element("circle", [("cx", "\(x + swatch / 2)"), ("cy", "\(legendY + swatch / 2)"), ("r", "5"), ("fill", Colour.exceptional)])
        }, "exceptional")
        entry({ svg, x in
            svg.element("line", [("x1", "\(x + swatch / 2)"), ("y1", "\(legendY - 2)"), ("x2", "\(x + swatch / 2)"), ("y2", "\(legendY + swatch + 2)"),
                                 ("stroke", Colour.change), ("stroke-width", "1.5"), ("stroke-dasharray", "4 3")])
        }, "mode / backend change")
        if hasTimeouts {
            entry({ svg, x in
                svg.element("rect", [("x", "\(x)"), ("y", "\(legendY)"), ("width", "\(swatch)"), ("height", "\(swatch)"), ("fill", Colour.timeout)])
            }, "timed out")
        }
        svg.close("g")
        svg.close("svg")
        return svg.text
    }

    /// A legend entry's swatch, its words (about 8 px a character at 13 px) and the gap after.
    static func legendEntryWidth(_ text: String) -> Int { 14 + 26 + text.count * 8 }

    /// Calls between two seq labels on the axis: at least ~48 px apart.
    static func labelStep(cellWidth: Int) -> Int {
        [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000].first { $0 * cellWidth >= 48 } ?? 20000
    }

    /// The calls of `records` that `range` picks, capped at `cap` when no range is given; and
    /// a note saying what was left out, if anything.
    public static func select(_ records: [StepRecord], range: CallRange?, cap: Int = defaultCallCap) -> (calls: [CallMarks], note: String?) {
        let total = records.count
        if let range {
            let picked = records.filter { range.contains($0.seq) }.map(CallMarks.init)
            guard let first = picked.first, let last = picked.last else { return ([], nil) }
            let note = picked.count == total ? nil : "calls \(first.seq)-\(last.seq) of a trace of \(total) calls"
            return (picked, note)
        }
        guard total > cap else { return (records.map(CallMarks.init), nil) }
        let picked = records.prefix(cap).map(CallMarks.init)
        let note = "the first \(cap) of \(total) calls (\(picked.first!.seq)-\(picked.last!.seq)); choose others with --calls A..B"
        return (picked, note)
    }
}

/// A small SVG/XML builder: elements with escaped attributes and text, indented.
struct SVGText {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var depth = 0

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        text += indent + "<" + name + Self.attributes(attributes) + ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += indent + "</" + name + ">\n"
    }

    mutating func element(_ name: String, _ attributes: [(String, String)] = [], text content: String? = nil) {
        if let content {
            text += indent + "<" + name + Self.attributes(attributes) + ">" + Self.escape(content) + "</" + name + ">\n"
        } else {
            text += indent + "<" + name + Self.attributes(attributes) + "/>\n"
        }
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
