/// Writes spans left to right along one row, never past `limit`.
struct Pen {
    var x: Int
    let y: Int
    let limit: Int

    init(x: Int, y: Int, limit: Int) {
        self.x = x
        self.y = y
        self.limit = limit
    }

    init(row: Int, in rect: Rect) {
        self.init(x: rect.x, y: rect.y + row, limit: rect.maxX)
    }

    var remaining: Int { max(0, limit - x) }

    mutating func write(_ text: String, _ role: Role = .normal, into grid: inout TextGrid) {
        guard remaining > 0 else { return }
        x += grid.put(text, x: x, y: y, role: role, maxWidth: remaining)
    }

    mutating func write(_ spans: [Span], into grid: inout TextGrid) {
        for span in spans { write(span.text, span.role, into: &grid) }
    }

    /// Writes `text` padded or cut to exactly `width` columns (cut text ends in `ellipsis`).
    mutating func column(_ text: String, width: Int, alignRight: Bool = false, _ role: Role = .normal, ellipsis: String, into grid: inout TextGrid) {
        let cell = Format.fit(text, width: width, ellipsis: ellipsis)
        let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(cell)))
        write(alignRight ? padding + cell : cell + padding, role, into: &grid)
    }

    mutating func skip(_ columns: Int) { x += columns }
}
