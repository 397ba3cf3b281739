/// The symbols the panes draw, in a Unicode and an ASCII set: a terminal whose locale is
/// not UTF-8 shows box-drawing and block characters as garbage.
struct Glyphs: Sendable {
    let ascii: Bool

    var ellipsis: String { ascii ? "..." : "…" }
    var separator: String { ascii ? ", " : " · " }
    var arrow: String { ascii ? "->" : "→" }
    var micro: String { ascii ? "us" : "µs" }
    var up: String { ascii ? "^" : "↑" }
    var down: String { ascii ? "v" : "↓" }
    /// A run of source lines folded away.
    var verticalEllipsis: String { ascii ? ":" : "⋮" }
    /// Marks a source line the last call ran.
    var marker: String { ascii ? ">" : "▸" }
    /// An fd whose bit is set in an fd_set, and one whose bit is clear.
    var bitSet: String { ascii ? "#" : "■" }
    var bitClear: String { ascii ? "." : "·" }
    /// A descriptor the program added for itself (its wake-up pipe): set, but not the lesson's.
    var bitInternal: String { "i" }
    /// The timeline's ruler: every tenth call, the selected call, and a mode change's line.
    var tick: String { ascii ? "'" : "╵" }
    var selectedCall: String { ascii ? "v" : "▼" }
    var modeLine: String { ascii ? "|" : "│" }

    /// A horizontal bar `width` columns wide filled to `fraction`, in eighths where the
    /// font allows.
    func bar(_ fraction: Double, width: Int) -> String {
        guard width > 0 else { return "" }
        let clamped = min(1, max(0, fraction))
        if ascii {
            let filled = Int((clamped * Double(width)).rounded())
            return String(repeating: "#", count: filled)
        }
        let eighths = Int((clamped * Double(width * 8)).rounded())
        var text = String(repeating: "█", count: eighths / 8)
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        text += partial
        return text
    }
}
