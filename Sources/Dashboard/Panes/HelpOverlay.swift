/// The `?` overlay: a centred box listing every key of the key table (the replay's in a
/// replay) with its sentence.
enum HelpOverlay {
    static func draw(_ context: RenderContext, width: Int, height: Int, on grid: inout TextGrid) {
        let language = context.language
        let keys = KeyHelp.entries(context)
        let keyWidth = keys.map { DisplayWidth.of($0.label) }.max() ?? 1
        var lines: [[Span]] = keys.map { binding in
            [Span(Format.pad(binding.label, to: keyWidth) + "  ", .keyName), Span(binding.help(language))]
        }
        lines.append([])
        lines.append([Span(context.labels[.closeHelp], .dim)])

        let contentWidth = lines.map(\.displayWidth).max() ?? 0
        let boxWidth = min(width - 2, contentWidth + 4)
        let boxHeight = min(height - 2, lines.count + 2)
        guard boxWidth >= 6, boxHeight >= 3 else { return }
        let box = Rect(x: (width - boxWidth) / 2, y: (height - boxHeight) / 2, width: boxWidth, height: boxHeight)

        // The screen behind stays visible but steps back.
        grid.restyle(.dim)
        // Clear first, border included, so the overlay's border does not join the panes'.
        grid.fill(x: box.x, y: box.y, width: box.width, height: box.height)
        grid.drawBox(box, ascii: context.model.asciiOnly)
        var title = [Span(context.labels[.help], .title)]
        if context.model.replay != nil { title.append(Span(context.glyphs.separator + context.labels[.replayTitle], .dim)) }
        grid.drawTitle(title, on: box)
        let area = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        let cut = lines.count > area.height
        for (row, line) in lines.prefix(cut ? area.height - 1 : area.height).enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(line, into: &grid)
        }
        if cut {
            var pen = Pen(row: area.height - 1, in: area)
            pen.write(context.ellipsis + " " + context.labels.more(lines.count - area.height + 1), .dim, into: &grid)
        }
    }
}
