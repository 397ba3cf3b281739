import SelectCore

/// `timeline`: the checklist's history as one picture. One row per fd, one column per call
/// (the newest at the right), each cell saying whether the fd went in and what came back:
///
/// ```
/// call      2▼         (2: switched to mode 2 here; ▼ the call shown; t a timeout)
/// 3L   R··R···         (the listener)
/// 5     RW·B··         (· in inputs, o in outputs, R/W/B came back readable/writable/both)
/// 6        ·oX         (X exceptional)
/// · in  o out  R read  W write  B both  X exc  │ mode
/// ```
/// The selected call (the replay's position, or the newest live) is marked above its column
/// and the selected fd's row label is highlighted. Mode changes draw a line down their column
/// and the new mode's number above it. Drawn only from the `CallHistory`.
enum TimelinePane {
    /// The cell of one fd in one call.
    static func glyph(_ mark: FDMark, _ glyphs: Glyphs) -> (String, Role)? {
        if mark.exceptional { return ("X", .exceptional) }
        if mark.readable && mark.writable { return ("B", .highlight) }
        if mark.readable { return ("R", .readable) }
        if mark.writable { return ("W", .writable) }
        if mark.inOutputs { return ("o", .dim) }
        if mark.inInputs { return (glyphs.bitClear, .dim) }
        return nil
    }

    /// The selected connection's row is highlighted (and kept in view when rows are short).
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let selectedFD = context.model.selection
        let labels = context.labels
        let calls = context.model.history.calls
        let selectedSeq = context.server.lastRecord?.seq
        let area = box.inner
        let layout = TimelineLayout(calls: calls, selectedSeq: selectedSeq, selectedFD: selectedFD,
                                    width: area.width, rows: max(0, area.height - 2))
        var title = [Span(labels[.timeline], .title)]
        if let first = layout.shown.first, let last = layout.shown.last {
            title.append(Span(" #\(first.seq)" + (first.seq == last.seq ? "" : "-\(last.seq)"), .dim))
        }
        grid.drawTitle(title, on: box)
        guard area.height > 0, area.width > 0 else { return }
        if layout.shown.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(labels[.noCallYet], .dim, into: &grid)
            return
        }
        let left = layout.labelWidth
        let shown = layout.shown

        // The ruler: the selected call, mode changes, timeouts (`t`), the seq every ten calls.
        var ruler = [String](repeating: " ", count: shown.count)
        var rulerRoles = [Role](repeating: .dim, count: shown.count)
        for (column, call) in shown.enumerated() where call.seq % 10 == 0 {
            ruler[column] = context.glyphs.tick
        }
        for (column, call) in shown.enumerated() where call.timedOut {
            ruler[column] = "t"
            rulerRoles[column] = .warning
        }
        for (column, call) in shown.enumerated() where layout.modeChanged[column] {
            ruler[column] = String(call.mode.rawValue)
            rulerRoles[column] = .title
        }
        if let column = layout.selectedColumn {
            ruler[column] = context.glyphs.selectedCall
            rulerRoles[column] = .highlight
        }
        grid.put(Format.pad(labels[.callWord], to: left), x: area.x, y: area.y, role: .label, maxWidth: left)
        for column in shown.indices {
            grid.put(ruler[column], x: area.x + left + column, y: area.y, role: rulerRoles[column])
        }

        // One row per fd, each column's marks worked out once.
        let marks = shown.map(layout.marks(of:))
        for (row, fd) in layout.fds.enumerated() {
            let y = area.y + 1 + row
            let isListener = shown.last?.listener == fd
            let label = Format.pad(String(repeating: " ", count: max(0, layout.fdDigits - Format.digits(Int(fd)))) + "\(fd)" + (isListener ? "L" : ""), to: left)
            let role: Role = fd == selectedFD ? .highlight : isListener ? .listener : .label
            grid.put(label, x: area.x, y: y, role: role, maxWidth: left)
            for column in shown.indices {
                let x = area.x + left + column
                if let (text, role) = glyph(marks[column][row], context.glyphs) {
                    grid.put(text, x: x, y: y, role: column == layout.selectedColumn && role == .dim ? .normal : role)
                } else if layout.modeChanged[column] {
                    grid.put(context.glyphs.modeLine, x: x, y: y, role: .dim)
                }
            }
        }
        if layout.hiddenFDs > 0 {
            let y = area.y + 1 + layout.fds.count
            grid.put(context.ellipsis + " " + labels.more(layout.hiddenFDs), x: area.x, y: y, role: .dim, maxWidth: area.width)
        }
        // The legend, on the last row.
        if area.height >= 3 {
            var pen = Pen(row: area.height - 1, in: area)
            pen.write(legend(context, width: area.width), into: &grid)
        }
    }

    /// `· in  o out  R read  W write  B both  X exc  | mode`, as much as fits.
    static func legend(_ context: RenderContext, width: Int) -> [Span] {
        let labels = context.labels
        let entries: [(String, Role, Term)] = [
            (context.glyphs.bitClear, .dim, .legendIn), ("o", .dim, .legendOut), ("R", .readable, .legendReadable),
            ("W", .writable, .legendWritable), ("B", .highlight, .legendBoth), ("X", .exceptional, .legendExceptional),
            (context.glyphs.modeLine, .dim, .legendMode),
        ]
        func spans(_ count: Int, gap: String) -> [Span] {
            entries.prefix(count).enumerated().flatMap { index, entry in
                [Span((index > 0 ? gap : "") + entry.0, entry.1), Span(" " + labels[entry.2], .dim)]
            }
        }
        // All entries with roomy gaps, or tight ones; failing that, whole entries from the front.
        let roomy = spans(entries.count, gap: "  ")
        if roomy.displayWidth <= width { return roomy }
        var count = entries.count
        while count > 1 && spans(count, gap: " ").displayWidth > width { count -= 1 }
        return spans(count, gap: " ")
    }
}

/// Which calls and fds the timeline shows in a pane of a given size: the columns around the
/// selected call (the newest when none), the fds those calls touched, the listener first.
struct TimelineLayout {
    let shown: [CallMarks]
    let fds: [Int32]
    let hiddenFDs: Int
    let selectedColumn: Int?
    /// Per shown column: the mode differs from the call before it.
    let modeChanged: [Bool]
    let fdDigits: Int
    let labelWidth: Int

    private let rows: FDRows

    init(calls: [CallMarks], selectedSeq: Int?, selectedFD: Int32?, width: Int, rows: Int) {
        // Label: the widest fd, an `L` for the listener, a space; the ruler's word must fit too.
        let highest = calls.reduce(Int32(0)) { max($0, FDRows.highestFD(of: $1)) }
        fdDigits = max(1, Format.digits(Int(highest)))
        labelWidth = max(fdDigits + 2, 5)
        let columns = max(0, width - labelWidth)
        var selected = calls.indices.last
        if let selectedSeq, let index = calls.lastIndex(where: { $0.seq <= selectedSeq }) { selected = index }
        var window: Range<Int> = 0..<0
        if let selected, columns > 0 {
            // A quarter of the width shows what came after the selected call, when there is any.
            let end = min(calls.count, selected + 1 + columns / 4)
            let start = max(0, end - columns)
            window = start..<min(calls.count, start + columns)
        }
        shown = Array(calls[window])
        selectedColumn = selected.flatMap { window.contains($0) ? $0 - window.lowerBound : nil }
        modeChanged = window.map { index in index > 0 && calls[index].mode != calls[index - 1].mode }

        var touched = FDRows.touched(by: shown)
        if let listener = shown.last?.listener, let at = touched.firstIndex(of: listener) {
            touched.remove(at: at)
            touched.insert(listener, at: 0)
        }
        var kept = touched
        if touched.count > rows {
            // Keep the selected fd in view; the rest in order, the last row saying how many are cut.
            kept = Array(touched.prefix(max(0, rows - 1)))
            if let selectedFD, touched.contains(selectedFD), !kept.contains(selectedFD), !kept.isEmpty {
                kept[kept.count - 1] = selectedFD
            }
        }
        fds = kept
        hiddenFDs = touched.count - kept.count
        self.rows = FDRows(kept)
    }

    /// How each shown fd fared in `call`, one mark per row.
    func marks(of call: CallMarks) -> [FDMark] { rows.marks(of: call) }
}
