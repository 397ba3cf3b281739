/// Box borders that join where panes touch: drawing a line over an existing one merges
/// their arms (`┐` over `│` gives `┤`), so adjacent panes share one border row or column
/// and the layout spends no row twice.
extension TextGrid {
    private static let up: UInt8 = 1, down: UInt8 = 2, left: UInt8 = 4, right: UInt8 = 8

    /// Box-drawing glyph for each set of arms (index: up 1, down 2, left 4, right 8).
    private static let unicodeGlyphs: [Character] = [
        " ", "│", "│", "│", "─", "┘", "┐", "┤", "─", "└", "┌", "├", "─", "┴", "┬", "┼",
    ]

    /// The arms of a border cell already drawn. Switching on the scalar keeps this off
    /// Character hashing: it runs for every border cell of every frame.
    private static func arms(of cell: Cell) -> UInt8 {
        guard cell.role == .border, let scalar = cell.character.unicodeScalars.first else { return 0 }
        switch scalar.value {
        case 0x2D, 0x2500: return left | right  // - ─
        case 0x7C, 0x2502: return up | down  // | │
        case 0x2B, 0x253C: return up | down | left | right  // + ┼
        case 0x250C: return down | right
        case 0x2510: return down | left
        case 0x2514: return up | right
        case 0x2518: return up | left
        case 0x251C: return up | down | right
        case 0x2524: return up | down | left
        case 0x252C: return down | left | right
        case 0x2534: return up | left | right
        default: return 0
        }
    }

    private mutating func addArms(_ arms: UInt8, x: Int, y: Int, ascii: Bool) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let merged = Self.arms(of: self[x, y]) | arms
        let glyph: Character
        if ascii {
            glyph = merged == Self.left | Self.right ? "-" : merged == Self.up | Self.down ? "|" : "+"
        } else {
            glyph = Self.unicodeGlyphs[Int(merged)]
        }
        self[x, y] = Cell(glyph, role: .border)
    }

    /// Draws the border of `rect`, joining any border already under it.
    mutating func drawBox(_ rect: Rect, ascii: Bool) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let (x0, y0, x1, y1) = (rect.x, rect.y, rect.maxX - 1, rect.maxY - 1)
        addArms(Self.down | Self.right, x: x0, y: y0, ascii: ascii)
        addArms(Self.down | Self.left, x: x1, y: y0, ascii: ascii)
        addArms(Self.up | Self.right, x: x0, y: y1, ascii: ascii)
        addArms(Self.up | Self.left, x: x1, y: y1, ascii: ascii)
        for x in (x0 + 1)..<x1 {
            addArms(Self.left | Self.right, x: x, y: y0, ascii: ascii)
            addArms(Self.left | Self.right, x: x, y: y1, ascii: ascii)
        }
        for y in (y0 + 1)..<y1 {
            addArms(Self.up | Self.down, x: x0, y: y, ascii: ascii)
            addArms(Self.up | Self.down, x: x1, y: y, ascii: ascii)
        }
    }

    /// Writes a pane's title into its top border ("┌ inputs 3 ───"), and an optional
    /// right-hand note ("── 1-4/10000 ┐"); the title gives way to the note. Spans after the
    /// first are dropped whole rather than cut mid-word.
    mutating func drawTitle(_ spans: [Span], right: [Span] = [], on rect: Rect) {
        guard rect.width > 4 else { return }
        var limit = rect.maxX - 1
        if !right.isEmpty {
            let width = right.displayWidth + 2
            if width <= rect.width - 4 {
                var pen = Pen(x: limit - width, y: rect.y, limit: limit)
                pen.write(" ", .border, into: &self)
                pen.write(right, into: &self)
                pen.write(" ", .border, into: &self)
                limit -= width + 1
            }
        }
        var pen = Pen(x: rect.x + 1, y: rect.y, limit: limit)
        pen.write(" ", .border, into: &self)
        for (index, span) in spans.enumerated() {
            if index > 0, DisplayWidth.of(span.text) + 1 > pen.remaining { break }
            pen.write(span.text, span.role, into: &self)
        }
        if pen.remaining > 0 { pen.write(" ", .border, into: &self) }
    }
}
