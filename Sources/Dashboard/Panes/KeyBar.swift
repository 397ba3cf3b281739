/// The bottom line: the main keys, generated from the key table (the replay's in a replay).
/// On a narrow terminal the lowest-ranked entries drop out, lowest first; the rest keep the
/// table's order.
enum KeyBar {
    static func draw(_ context: RenderContext, in rect: Rect, on grid: inout TextGrid) {
        grid.fill(x: rect.x, y: rect.y, width: rect.width, height: 1, role: .keyBar)
        var pen = Pen(x: rect.x + 1, y: rect.y, limit: rect.maxX)
        for (index, entry) in entries(KeyHelp.entries(context), context.language, width: rect.width - 1).enumerated() {
            if index > 0 { pen.write("  ", .keyBar, into: &grid) }
            pen.write(entry.key, .keyName, into: &grid)
            pen.write(" " + entry.text, .keyBar, into: &grid)
        }
    }

    /// The (key, word) pairs that fit in `width` columns.
    static func entries(_ keys: [KeyHelp], _ language: Language, width: Int) -> [(key: String, text: String)] {
        let candidates = keys.enumerated().compactMap { index, key in
            key.bar.map { (index: index, rank: key.rank, key: key.label, text: $0(language)) }
        }
        var kept: Set<Int> = []
        var used = -2
        for candidate in candidates.sorted(by: { ($0.rank, $0.index) < ($1.rank, $1.index) }) {
            let cost = 2 + DisplayWidth.of(candidate.key) + 1 + DisplayWidth.of(candidate.text)
            // The least important go first, and only they: a short word further down the
            // ranking never takes the place of a longer, more important one, so every width
            // and language shows a prefix of the same ranking, in the table's order.
            guard used + cost <= width else { break }
            kept.insert(candidate.index)
            used += cost
        }
        return candidates.filter { kept.contains($0.index) }.map { ($0.key, $0.text) }
    }
}
