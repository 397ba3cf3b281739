import Dashboard

/// A screen cell as the terminal will show it: the grid made safe to hand to ncurses.
///
/// A wide character becomes `.wide` plus a `.covered` cell that is never drawn. Whatever
/// cannot be drawn as the grid says is replaced so the columns still line up: a wide
/// character with no continuation cell, or a continuation with no wide character before it,
/// becomes a blank; a character the terminal cannot show (a non-UTF-8 locale) becomes `?`
/// (`??` when wide); a wide character the terminal draws narrow gets a blank after it.
struct Glyph: Equatable, Sendable {
    enum Kind: UInt8, Sendable { case narrow, wide, covered }

    var character: Character
    var role: Role
    var kind: Kind

    static func narrow(_ character: Character, _ role: Role) -> Glyph { Glyph(character: character, role: role, kind: .narrow) }

    /// The glyphs of `grid`, row by row. `terminalWidth` says how many columns the terminal
    /// gives a character (1 or 2), or nil when it cannot show it.
    static func layout(_ grid: TextGrid, terminalWidth: (Character) -> Int?) -> [Glyph] {
        var glyphs: [Glyph] = []
        glyphs.reserveCapacity(grid.width * grid.height)
        for y in 0..<grid.height { layoutRow(y, of: grid, terminalWidth: terminalWidth, into: &glyphs) }
        return glyphs
    }

    /// Appends the glyphs of one row: always exactly `grid.width` of them.
    static func layoutRow(_ y: Int, of grid: TextGrid, terminalWidth: (Character) -> Int?, into glyphs: inout [Glyph]) {
        var x = 0
        while x < grid.width {
            let cell = grid[x, y]
            if cell.isContinuation {
                glyphs.append(.narrow(" ", cell.role))  // no wide character before it
                x += 1
                continue
            }
            let gridWidth = DisplayWidth.of(cell.character)
            let isWide = gridWidth == 2 && x + 1 < grid.width && grid[x + 1, y].isContinuation
            if gridWidth == 2 && !isWide {
                glyphs.append(.narrow(" ", cell.role))  // half a wide character: nothing fits
                x += 1
                continue
            }
            if gridWidth == 0 {
                glyphs.append(.narrow(" ", cell.role))  // a control character, or a lone mark
                x += 1
                continue
            }
            let shown = terminalWidth(cell.character)
            if isWide {
                let next = grid[x + 1, y].role
                switch shown {
                case 2?:
                    glyphs.append(Glyph(character: cell.character, role: cell.role, kind: .wide))
                    glyphs.append(Glyph(character: " ", role: next, kind: .covered))
                case 1?:
                    glyphs.append(.narrow(cell.character, cell.role))
                    glyphs.append(.narrow(" ", next))
                default:
                    glyphs.append(.narrow("?", cell.role))
                    glyphs.append(.narrow("?", next))
                }
                x += 2
            } else {
                glyphs.append(.narrow(shown == 1 ? cell.character : "?", cell.role))
                x += 1
            }
        }
    }
}
