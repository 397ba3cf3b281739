import SelectCore

/// The select backend's checklist: the three fd_sets before and after the call, one bit per
/// fd from 0 to nfds-1. select overwrites each set with its result, so "in" and "out" rows
/// are the same memory before and after: that is the lesson.
///
/// ```
/// fd     0123456789  nfds 7
/// rd in  ···■·■■     inputs
/// rd out ·····■      readable [5]
/// ```
/// With more fds than columns, each row lists the fds instead.
enum FDSetView {
    struct Row {
        let label: String
        let fds: [Int32]
        /// Descriptors the program added for its own use: set in the real fd_set, drawn apart.
        let internalFDs: [Int32]
        let word: String
        let role: Role
        let isResult: Bool
    }

    static let labelWidth = 7
    /// Columns kept after the bits for the row's name and result list.
    static let suffixRoom = 14

    static func setRows(_ record: StepRecord, _ labels: Labels) -> [Row] {
        [
            Row(label: "rd in", fds: record.inputs, internalFDs: record.internalFDs, word: "inputs", role: .normal, isResult: false),
            Row(label: "rd out", fds: record.readable, internalFDs: record.internalReady, word: labels[.readable], role: .readable, isResult: true),
            Row(label: "wr in", fds: record.outputs, internalFDs: [], word: "outputs", role: .normal, isResult: false),
            Row(label: "wr out", fds: record.writable, internalFDs: [], word: labels[.writable], role: .writable, isResult: true),
            Row(label: "ex in", fds: record.inputs, internalFDs: [], word: "inputs", role: .normal, isResult: false),
            Row(label: "ex out", fds: record.exceptional, internalFDs: [], word: labels[.exceptional], role: .exceptional, isResult: true),
        ]
    }

    /// select's first argument: one more than the highest fd in any set.
    static func nfds(_ record: StepRecord) -> Int {
        let highest = max(record.inputs.max() ?? -1, record.outputs.max() ?? -1, record.internalFDs.max() ?? -1)
        return Int(highest) + 1
    }

    /// `waiting`: the call has not come back (in flight) or was cut short (interrupted): the
    /// result rows say so instead of showing an empty result nobody got.
    static func lines(_ record: StepRecord, _ context: RenderContext, width: Int, rows: Int, waiting: Bool = false) -> [[Span]] {
        let waiting = waiting || record.interrupted
        let n = nfds(record)
        let drawable = n <= width - labelWidth - 2 - suffixRoom
        var lines: [[Span]] = [drawable ? ruler(n) : [Span("nfds \(n)", .dim)]]
        for row in setRows(record, context.labels) {
            var line = [Span(Format.pad(row.label, to: labelWidth), .label)]
            if waiting && row.isResult {
                // The first result row says why there is no result; the others only that.
                let first = row.label == "rd out"
                let word = record.interrupted ? (first ? context.labels.interruptedNote : context.labels.interrupted) : context.labels.waitingForResult
                let pad = drawable && !(record.interrupted && first) ? n + 2 : 0
                let room = max(0, width - labelWidth - pad)
                line += [Span(String(repeating: " ", count: pad)), Span(Format.fit(word, width: room, ellipsis: context.ellipsis), record.interrupted ? .warning : .dim)]
            } else if drawable {
                var cells = bits(row, n: n, glyphs: context.glyphs)
                // The selected connection's column, in every row.
                if let selected = context.model.selection, selected >= 0, Int(selected) < n {
                    cells[Int(selected)].role = .highlight
                }
                line += cells
                line.append(Span("  "))
                line += suffix(row, context, room: width - labelWidth - n - 2)
            } else {
                line += listed(row, context, room: width - labelWidth)
            }
            lines.append(line)
        }
        return Array(lines.prefix(max(0, rows)))
    }

    /// `fd     0123456789112345  nfds 16`: the ones digit of each fd, and at 10, 20, … the
    /// tens digit instead, bright, so fd 12 can be found by counting from the bright `1`.
    static func ruler(_ n: Int) -> [Span] {
        var spans = [Span(Format.pad("fd", to: labelWidth), .label)]
        for fd in 0..<n {
            if fd % 10 == 0 {
                spans.append(Span(String(fd / 10 % 10), .label))
            } else {
                spans.append(Span(String(fd % 10), .dim))
            }
        }
        spans.append(Span("  nfds \(n)", .dim))
        return spans
    }

    static func bits(_ row: Row, n: Int, glyphs: Glyphs) -> [Span] {
        var set = [Bool](repeating: false, count: n)
        var own = [Bool](repeating: false, count: n)
        for fd in row.fds where fd >= 0 && Int(fd) < n { set[Int(fd)] = true }
        for fd in row.internalFDs where fd >= 0 && Int(fd) < n { own[Int(fd)] = true }
        return (0..<n).map { fd in
            if set[fd] { return Span(glyphs.bitSet, row.isResult ? row.role : .highlight) }
            if own[fd] { return Span(glyphs.bitInternal, .dim) }
            return Span(glyphs.bitClear, .dim)
        }
    }

    /// The foot of the bits: what `■`, `·` and `i` mean (the program's own fd named), and how
    /// to read the ruler when it passes 10. The longest wording that fits; nil if none does.
    static func legend(_ record: StepRecord, _ context: RenderContext, width: Int) -> [Span]? {
        let glyphs = context.glyphs
        let labels = context.labels
        let n = nfds(record)
        guard n <= width - labelWidth - 2 - suffixRoom else { return nil }
        var spans = [Span(glyphs.bitSet, .highlight), Span(" " + labels[.legendSet] + "  ", .dim),
                     Span(glyphs.bitClear, .dim), Span(" " + labels[.legendClear], .dim)]
        if let own = record.internalFDs.first {
            let long = spans + [Span("  "), Span(glyphs.bitInternal, .dim), Span(" " + labels.internalLegend(fd: own, long: true), .dim)]
            let short = spans + [Span("  "), Span(glyphs.bitInternal, .dim), Span(" " + labels.internalLegend(fd: own, long: false), .dim)]
            spans = long.displayWidth <= width ? long : short
        }
        if n > 10 {
            let tens = spans + [Span("  " + labels[.legendTens], .dim)]
            if tens.displayWidth <= width { spans = tens }
        }
        return spans.displayWidth <= width ? spans : nil
    }

    /// `inputs` after an "in" row; `readable [5]` after an "out" row.
    static func suffix(_ row: Row, _ context: RenderContext, room: Int) -> [Span] {
        guard row.isResult else { return [Span(row.word, .dim)] }
        let listRoom = room - DisplayWidth.of(row.word) - 1
        return [Span(row.word + " ", row.role), Span(Format.fdList(row.fds, maxWidth: max(5, listRoom), ellipsis: context.ellipsis))]
    }

    /// `inputs 10001 [3,5,6,…+9998]` when the bits would not fit.
    static func listed(_ row: Row, _ context: RenderContext, room: Int) -> [Span] {
        let head = row.word + " " + (row.isResult ? "" : "\(row.fds.count) ")
        let listRoom = room - DisplayWidth.of(head)
        return [Span(head, row.isResult ? row.role : .dim), Span(Format.fdList(row.fds, maxWidth: max(5, listRoom), ellipsis: context.ellipsis))]
    }
}
