/// Which lines of the seed's code the source pane shows in a given number of rows, so that
/// the lines the last call ran are on screen. The code is 45–73 lines and the pane often a
/// dozen rows, so it scrolls, and when the branches of one call lie far apart it folds the
/// code between them into one `⋮ 12 lines` row, as a diff folds unchanged lines.
///
/// In order, the first that fits wins:
/// 1. every line;
/// 2. a window centred on all the highlighted lines;
/// 3. all the highlighted lines with the gaps between them folded;
/// 4. the same two for the branch lines alone, without the select call's own lines;
/// 5. the window holding the most of the branch lines, bodies counting more than the
///    `for`/`if`/`else:` lines that lead into them. The highlighted lines left out are
///    counted in `hiddenAbove` and `hiddenBelow` (the pane's title shows them).
struct SourceWindow: Equatable {
    enum Row: Equatable {
        /// A line of the code, 0-based.
        case line(Int)
        /// Lines folded away: how many, starting at which.
        case gap(start: Int, count: Int)
    }

    var rows: [Row]
    /// Highlighted lines not on screen, above the first row shown and below the last.
    var hiddenAbove = 0
    var hiddenBelow = 0

    /// - Parameters:
    ///   - lines: the code.
    ///   - highlighted: the lines the call ran.
    ///   - branch: the ones that matter most (the branches, not the select call itself).
    ///   - anchor: the line to show when nothing is highlighted (the select call).
    static func make(lines: [String], highlighted: Set<Int>, branch: Set<Int>, anchor: Int, rows: Int) -> SourceWindow {
        let count = lines.count
        guard rows > 0 else { return SourceWindow(rows: []) }
        if count <= rows { return SourceWindow(rows: (0..<count).map { .line($0) }) }
        let all = highlighted.filter { $0 >= 0 && $0 < count }.sorted()
        guard !all.isEmpty else {
            return window(start: anchor - 1, rows: rows, count: count, highlighted: [])
        }
        var candidates = [all]
        let core = branch.filter { $0 >= 0 && $0 < count }.sorted()
        if !core.isEmpty && core != all { candidates.append(core) }
        for set in candidates {
            if set.last! - set.first! + 1 <= rows {
                // Spare rows split about the lines, the odd one above: the lead-in reads better.
                let slack = rows - (set.last! - set.first! + 1)
                return window(start: set.first! - (slack + 1) / 2, rows: rows, count: count, highlighted: all)
            }
            if let folded = fold(set, rows: rows, count: count, highlighted: all) { return folded }
        }
        let focus = core.isEmpty ? all : core
        let weights = focus.map { index -> Int in
            lines[index].trimmingTrailingSpaces.hasSuffix(":") ? 1 : 3
        }
        var best = (start: 0, score: -1)
        for start in 0...(count - rows) {
            var score = 0
            for (index, line) in focus.enumerated() where line >= start && line < start + rows { score += weights[index] }
            if score > best.score { best = (start, score) }
        }
        return window(start: best.start, rows: rows, count: count, highlighted: all)
    }

    /// The window moved `offset` lines down (up when negative) from where `make` put it, no
    /// fold: the scroll keys on a focused source view.
    static func scrolled(_ window: SourceWindow, by offset: Int, count: Int, rows: Int, highlighted: Set<Int>) -> SourceWindow {
        guard offset != 0, count > rows, rows > 0 else { return window }
        let first = window.rows.compactMap { row -> Int? in if case .line(let index) = row { return index } else { return nil } }.first ?? 0
        return Self.window(start: first + offset, rows: rows, count: count, highlighted: highlighted.sorted())
    }

    /// `rows` lines from `start`, kept inside the code.
    private static func window(start: Int, rows: Int, count: Int, highlighted: [Int]) -> SourceWindow {
        let first = min(max(0, start), count - rows)
        return counted(SourceWindow(rows: (first..<(first + rows)).map { .line($0) }), highlighted: highlighted)
    }

    /// The lines of `set`, each run of them whole, the code between runs folded to one row;
    /// rows left over unfold the shortest gaps, then show the lines around. Nil when the
    /// runs alone need more rows than there are.
    private static func fold(_ set: [Int], rows: Int, count: Int, highlighted: [Int]) -> SourceWindow? {
        // Runs, joined across a single line: showing it costs the row a fold would.
        var runs: [ClosedRange<Int>] = []
        for line in set {
            if let last = runs.last, line - last.upperBound <= 2 {
                runs[runs.count - 1] = last.lowerBound...line
            } else {
                runs.append(line...line)
            }
        }
        let need = runs.reduce(0) { $0 + $1.count } + runs.count - 1
        guard need <= rows else { return nil }
        var spare = rows - need
        var open = Set<Int>()  // gaps (by the index of the run before them) shown unfolded
        let gaps = (0..<(runs.count - 1)).map { (index: $0, size: runs[$0 + 1].lowerBound - runs[$0].upperBound - 1) }
        for gap in gaps.sorted(by: { ($0.size, $0.index) < ($1.size, $1.index) }) where gap.size - 1 <= spare {
            open.insert(gap.index)
            spare -= gap.size - 1
        }
        let first = runs.first!.lowerBound, last = runs.last!.upperBound
        var above = min(first, (spare + 1) / 2)
        let below = min(count - 1 - last, spare - above)
        above = min(first, spare - below)

        var out: [Row] = (first - above..<first).map { .line($0) }
        for (index, run) in runs.enumerated() {
            out += run.map { .line($0) }
            guard index + 1 < runs.count else { break }
            let gapStart = run.upperBound + 1, gapEnd = runs[index + 1].lowerBound
            if open.contains(index) {
                out += (gapStart..<gapEnd).map { .line($0) }
            } else {
                out.append(.gap(start: gapStart, count: gapEnd - gapStart))
            }
        }
        out += (last + 1..<last + 1 + below).map { .line($0) }
        return counted(SourceWindow(rows: out), highlighted: highlighted)
    }

    /// Fills in how many highlighted lines the rows leave out, above and below.
    private static func counted(_ window: SourceWindow, highlighted: [Int]) -> SourceWindow {
        var shown = Set<Int>()
        var firstShown = Int.max
        for row in window.rows {
            if case .line(let index) = row {
                shown.insert(index)
                firstShown = min(firstShown, index)
            }
        }
        var result = window
        for line in highlighted where !shown.contains(line) {
            if line < firstShown { result.hiddenAbove += 1 } else { result.hiddenBelow += 1 }
        }
        return result
    }
}

extension String {
    var trimmingTrailingSpaces: Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return self[startIndex..<end]
    }
}
