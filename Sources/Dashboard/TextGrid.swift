/// The semantic role of a cell; the terminal maps roles to colours through one palette, so
/// no pane ever names a colour.
public enum Role: UInt8, Sendable, CaseIterable {
    case normal, title, label, dim, border
    case readable, writable, exceptional, warning, error
    case listener, highlight, keyBar, keyName
}

/// One terminal cell. A wide character (CJK) fills its own cell and the next one, which is
/// marked as a continuation and drawn as nothing.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var role: Role
    public var isContinuation: Bool

    public init(_ character: Character = " ", role: Role = .normal, isContinuation: Bool = false) {
        self.character = character
        self.role = role
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A rectangle of cells that panes write into. Tests compare it with literal lines; the
/// terminal flushes it.
public struct TextGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// Writing over half of a wide character blanks its other half, as a terminal does, so
    /// no row ever ends up a column short or long.
    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            let index = y * width + x
            let old = cells[index]
            if old.isContinuation, !newValue.isContinuation, x > 0 {
                cells[index - 1] = Cell(" ", role: cells[index - 1].role)
            }
            if !old.isContinuation, x + 1 < width, cells[index + 1].isContinuation {
                cells[index + 1] = Cell(" ", role: cells[index + 1].role)
            }
            cells[index] = newValue
        }
    }

    /// Writes `text` at (x, y), clipped at `x + maxWidth` and the grid's edge. A wide
    /// character that would be cut in half is not drawn. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in text {
            let w = DisplayWidth.of(character)
            if w == 0 { continue }
            if column + w > limit { break }
            if column >= 0 {
                self[column, y] = Cell(character, role: role)
                if w == 2 { self[column + 1, y] = Cell(" ", role: role, isContinuation: true) }
            }
            column += w
        }
        return column - x
    }

    /// Fills a rectangle with one character.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, character: Character = " ", role: Role = .normal) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) {
                self[column, row] = Cell(character, role: role)
            }
        }
    }

    /// Gives every cell the same role, keeping its character (the screen behind an overlay).
    public mutating func restyle(_ role: Role) {
        for index in cells.indices { cells[index].role = role }
    }

    /// Gives the cells of part of one row the same role (the selected connection's row).
    public mutating func restyle(y: Int, x: Int, width w: Int, _ role: Role) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { cells[y * width + column].role = role }
    }

    /// The grid as plain text lines, trailing spaces kept (tests compare whole lines).
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width {
                let cell = self[column, row]
                if !cell.isContinuation { line.append(cell.character) }
            }
            return line
        }
    }

    /// The same lines with trailing spaces removed.
    public var trimmedLines: [String] {
        lines.map { line in
            var line = line
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}

/// Column width of characters as a terminal draws them: East Asian wide and fullwidth
/// characters take two columns, combining marks none.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        // Printable ASCII is nearly every cell of a frame: skip the Unicode property lookup.
        if v >= 0x20 && v < 0x7F { return 1 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    public static func of(_ text: String) -> Int {
        var ascii = true
        for byte in text.utf8 where byte < 0x20 || byte >= 0x7F {
            ascii = false
            break
        }
        return ascii ? text.utf8.count : text.reduce(0) { $0 + of($1) }
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
