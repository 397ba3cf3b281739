import SelectCore
import Teaching

/// `source`: the seed's Python server for the running exercise, under its Chinese title,
/// with the lines the last call ran highlighted — the accept branch, the recv branch, the
/// empty-recv close, the writable branch, the queue-empty branch, the timeout — scrolled
/// (and folded, see `SourceWindow`) so they are on screen.
///
/// ```
/// ┌ source 練習4 使用writefds來傳送 ──────── #17 ┐
/// │21      for s in readable:                    │
/// │22▸         if s is server:                   │
/// │23▸             connection, client_address = …│
/// │ ⋮  12 lines                                  │
/// ```
enum SourcePane {
    /// Each mode's map, built once: the seed's code does not change while the program runs.
    static let maps: [Mode: SourceMap] = Dictionary(uniqueKeysWithValues: Mode.allCases.map { ($0, SourceMap(mode: $0)) })

    /// What the pane shows for a model: the code, the lines to highlight, the window.
    struct Plan {
        let map: SourceMap
        /// The call the highlight comes from, when it ran in the mode shown.
        let record: StepRecord?
        let highlighted: Set<Int>
        let window: SourceWindow
    }

    static func plan(_ context: RenderContext, rows: Int) -> Plan {
        let mode = context.server.mode
        let map = maps[mode] ?? SourceMap(mode: mode)
        // Right after a mode switch the last call ran the old mode's code: nothing of this
        // code has run yet.
        let record = context.server.lastRecord.flatMap { $0.mode == mode ? $0 : nil }
        var highlighted = Set<Int>()
        var branch = Set<Int>()
        if let record {
            highlighted = map.highlightedLines(for: record)
            for kind in SourceMap.branches(for: record) where kind != .selectCall { branch.formUnion(map.lines(of: kind)) }
        }
        let anchor = map.lines(of: .selectCall).first ?? 0
        var window = SourceWindow.make(lines: map.lines, highlighted: highlighted, branch: branch, anchor: anchor, rows: rows)
        if context.model.focus == .view, context.model.sourceScroll != 0 {
            window = SourceWindow.scrolled(window, by: context.model.sourceScroll, count: map.lines.count, rows: rows, highlighted: highlighted)
        }
        return Plan(map: map, record: record, highlighted: highlighted, window: window)
    }

    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let labels = context.labels
        let area = box.inner
        let plan = plan(context, rows: area.height)
        let mode = context.server.mode

        var note: [Span] = []
        if let record = plan.record {
            note.append(Span("#\(record.seq)", .dim))
            if plan.window.hiddenAbove > 0 { note.append(Span(" " + context.glyphs.up + "\(plan.window.hiddenAbove)", .highlight)) }
            if plan.window.hiddenBelow > 0 { note.append(Span(" " + context.glyphs.down + "\(plan.window.hiddenBelow)", .highlight)) }
        } else if context.server.lastRecord != nil {
            note.append(Span(labels[.noCallInMode], .dim))
        }
        // The exercise's title is cut rather than dropped: which code this is matters more
        // than the end of its name. Room: the borders, the note and its spaces, the word.
        let room = box.width - 4 - (note.isEmpty ? 0 : note.displayWidth + 3) - DisplayWidth.of(labels[.source]) - 1
        let exercise = Format.fit(labels.exercise(mode, ascii: context.model.asciiOnly), width: room, ellipsis: context.ellipsis)
        grid.drawTitle([Span(labels[.source], .title), Span(" " + exercise, .highlight)], right: note, on: box)
        guard area.height > 0, area.width > 0 else { return }

        let lines = plan.map.lines
        let gutter = Format.digits(lines.count)
        // Python's four-space indent when the longest line fits, two when it does not.
        let longest = lines.map { DisplayWidth.of(String($0.trimmingTrailingSpaces)) }.max() ?? 0
        let halve = gutter + 1 + longest > area.width
        for (row, entry) in plan.window.rows.enumerated() {
            var pen = Pen(row: row, in: area)
            switch entry {
            case .gap(_, let count):
                pen.write(String(repeating: " ", count: max(0, gutter - 1)) + context.glyphs.verticalEllipsis, .dim, into: &grid)
                pen.write("  " + labels.hiddenLines(count), .dim, into: &grid)
            case .line(let index):
                let lit = plan.highlighted.contains(index)
                let number = String(index + 1)
                let head = String(repeating: " ", count: max(0, gutter - number.count)) + number + (lit ? context.glyphs.marker : " ")
                let code = Format.fit(reindent(lines[index], halve: halve), width: area.width - DisplayWidth.of(head), ellipsis: context.ellipsis)
                if lit {
                    // The whole row is the bar, so the eye finds the path the call took.
                    pen.write(Format.pad(head + code, to: area.width), .highlight, into: &grid)
                } else {
                    pen.write(head, .dim, into: &grid)
                    pen.write(code, code.drop { $0 == " " }.hasPrefix("#") ? .dim : .normal, into: &grid)
                }
            }
        }
    }

    /// A line with its indent halved (two spaces a level), trailing spaces dropped.
    static func reindent(_ line: String, halve: Bool) -> String {
        let trimmed = String(line.trimmingTrailingSpaces)
        guard halve else { return trimmed }
        let spaces = trimmed.prefix { $0 == " " }.count
        return String(repeating: " ", count: spaces / 4 * 2 + spaces % 4) + trimmed.dropFirst(spaces)
    }
}
