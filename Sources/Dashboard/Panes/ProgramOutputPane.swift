/// `its output`: what a traced program printed (stdout and stderr as it wrote them), newest
/// at the bottom. Its prints claim what select() returned; the checklist beside it shows
/// what the kernel did: the difference is the lesson.
public enum ProgramOutputPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        grid.drawTitle([Span(context.labels[.programOutput], .title)], on: box)
        let area = box.inner
        guard area.height > 0 else { return }
        let lines = context.model.programOutput.suffix(area.height)
        if lines.isEmpty {
            var pen = Pen(row: 0, in: area)
            let note: Term = context.model.replay != nil ? .outputNotRecorded : .nothingPrinted
            pen.write(Format.fit(context.labels[note], width: area.width, ellipsis: context.ellipsis), .dim, into: &grid)
            return
        }
        for (row, line) in lines.enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(Format.fit(line, width: area.width, ellipsis: context.ellipsis), role(of: line), into: &grid)
        }
    }

    /// A traceback or an error stands out; the rest is the program's own words.
    static func role(of line: String) -> Role {
        if line.hasPrefix("Traceback ") || line.contains("Error:") || line.contains("Error ") || line.hasPrefix("Segmentation") {
            return .error
        }
        return .normal
    }
}

extension ProgramOutputPane {
    /// The last `limit` lines of a program's output, made safe to draw: a carriage return
    /// keeps what was written after it (a progress line), tabs become spaces, and other
    /// control characters (escape sequences that would drive the terminal) become `?`.
    public static func lines(of text: String, limit: Int) -> [String] {
        var lines: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).suffix(limit + 1) {
            let visible = raw.split(separator: "\r", omittingEmptySubsequences: false).last { !$0.isEmpty } ?? ""
            var line = ""
            for scalar in visible.unicodeScalars {
                switch scalar.value {
                case 0x09: line += "    "
                case 0x00..<0x20, 0x7f, 0x80..<0xa0: line += "?"
                default: line.unicodeScalars.append(scalar)
                }
            }
            lines.append(line)
        }
        // Output ends with a newline: the empty piece after it is no line.
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(limit))
    }
}
