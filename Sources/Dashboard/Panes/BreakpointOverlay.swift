import SelectCore

/// `p`: the events that pause the loop the moment they happen, each with its digit and a
/// box ticked when chosen.
enum BreakpointOverlay {
    static func draw(_ context: RenderContext, width: Int, height: Int, on grid: inout TextGrid) {
        let labels = context.labels
        let chosen = context.model.breakpoints
        let offered = context.model.offeredBreakpoints
        var lines: [[Span]] = offered.enumerated().map { index, breakpoint in
            let on = chosen.contains(breakpoint)
            return [Span("\(index + 1) ", .keyName), Span(on ? "[x] " : "[ ] ", on ? .warning : .dim),
                    Span(Format.pad(breakpoint.rawValue, to: 13), on ? .warning : .label), Span(labels.breakpointName(breakpoint))]
        }
        lines.append([])
        lines.append([Span(labels.breakpointsHint(count: offered.count), .dim)])
        let contentWidth = lines.map(\.displayWidth).max() ?? 0
        let boxWidth = min(width - 2, contentWidth + 4)
        let boxHeight = min(height - 2, lines.count + 2)
        guard boxWidth >= 6, boxHeight >= 3 else { return }
        let box = Rect(x: (width - boxWidth) / 2, y: (height - boxHeight) / 2, width: boxWidth, height: boxHeight)
        grid.restyle(.dim)
        grid.fill(x: box.x, y: box.y, width: box.width, height: box.height)
        grid.drawBox(box, ascii: context.model.asciiOnly)
        grid.drawTitle([Span(labels.breakpointsTitle, .title)], on: box)
        let area = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        for (row, line) in lines.prefix(area.height).enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(line, into: &grid)
        }
    }
}
