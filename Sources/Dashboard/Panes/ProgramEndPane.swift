/// How a traced program ended and the last lines it wrote to stderr (a Python traceback's
/// last lines say why), in a box at the bottom of the log, which keeps its newest lines
/// above it: the rest of its last state stays on screen around it.
public struct ProgramEndNote: Sendable, Equatable {
    /// "pid 4242 exited with status 1".
    public var headline: String
    public var lastLines: [String]
    /// False for a program attached to: its stderr goes where it always went, unseen here.
    public var captured: Bool

    public init(headline: String, lastLines: [String], captured: Bool = true) {
        self.headline = headline
        self.lastLines = lastLines
        self.captured = captured
    }
}

enum ProgramEndPane {
    /// The rows its box takes from the bottom of the log's (at most half of them); 0 when it
    /// does not fit.
    static func height(_ note: ProgramEndNote, in log: Rect) -> Int {
        let height = min(log.height / 2, max(1, note.lastLines.count) + 2)
        return height >= 3 && log.width >= 6 ? height : 0
    }

    /// The log's box above the note's.
    static func logBox(_ note: ProgramEndNote, _ log: Rect) -> Rect {
        let height = height(note, in: log)
        // The two boxes share a border row.
        return height == 0 ? log : Rect(x: log.x, y: log.y, width: log.width, height: log.height - height + 1)
    }

    static func draw(_ note: ProgramEndNote, _ context: RenderContext, in log: Rect, on grid: inout TextGrid) {
        let lines = !note.captured ? [context.labels.stderrNotCaptured] : note.lastLines.isEmpty ? [context.labels.nothingOnStderr] : note.lastLines
        let height = height(note, in: log)
        guard height > 0 else { return }
        let box = Rect(x: log.x, y: log.maxY - height, width: log.width, height: height)
        grid.fill(x: box.x, y: box.y, width: box.width, height: box.height)
        grid.drawBox(box, ascii: context.model.asciiOnly)
        grid.drawTitle([Span(note.headline, .error), Span(context.glyphs.separator + context.labels.lastStderrLines, .dim)],
                       on: box)
        let area = box.inner
        for (row, line) in lines.suffix(area.height).enumerated() {
            grid.put(Format.fit(line, width: area.width, ellipsis: context.ellipsis), x: area.x, y: area.y + row,
                     role: note.lastLines.isEmpty ? .dim : .normal)
        }
    }
}
