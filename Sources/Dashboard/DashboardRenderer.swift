import SelectCore

/// Draws one frame: a pure function from the model and a size to a grid of cells.
public enum DashboardRenderer {
    public static func render(_ model: DashboardModel, width: Int, height: Int) -> TextGrid {
        var grid = TextGrid(width: width, height: height)
        let context = RenderContext(model)
        let headerLines = HeaderPane.lineCount(model)
        let traced = model.server.tracedProgram
        // A replay has no output to show beside the queues (a trace keeps only the calls).
        guard let layout = Layout.compute(width: width, height: height, headerLines: headerLines, hasStatus: model.status != nil,
                                          traced: traced && model.replay == nil) else {
            let message = context.labels.tooSmall(
                needWidth: Layout.minimumWidth, needHeight: Layout.minimumHeight, width: width, height: height)
            grid.put(message, x: 0, y: 0, role: .warning)
            return grid
        }
        if model.zoomed {
            // The focused pane on the whole screen between the header and the key bar.
            HeaderPane.draw(context, in: layout.header, on: &grid)
            let full = Rect(x: 0, y: layout.header.maxY, width: width, height: (layout.status?.y ?? layout.keyBar.y) - layout.header.maxY)
            grid.drawBox(full, ascii: model.asciiOnly)
            switch model.focus {
            case .log: LogPane.draw(context, box: full, on: &grid)
            case .queues: QueuesPane.draw(context, box: full, on: &grid)
            case .clients: ClientsPane.draw(context, box: full, on: &grid)
            case .view:
                switch model.view {
                case .lastCall: ResultPane.draw(context, box: full, on: &grid)
                case .source: SourcePane.draw(context, box: full, on: &grid)
                case .explain: ExplainPane.draw(context, box: full, on: &grid)
                case .output: ProgramOutputPane.draw(context, box: full, on: &grid)
                // Views added later zoom as the checklist until they get a case here.
                default: ResultPane.draw(context, box: full, on: &grid)
                }
            }
            drawFooter(model, context, layout, width: width, height: height, on: &grid)
            return grid
        }
        for box in layout.boxes { grid.drawBox(box, ascii: model.asciiOnly) }
        HeaderPane.draw(context, in: layout.header, on: &grid)
        ListsPane.draw(.inputs, context, box: layout.inputs, on: &grid)
        ListsPane.draw(.outputs, context, box: layout.outputs, on: &grid)
        ClientsPane.draw(context, box: layout.clients, on: &grid)
        for slot in layout.slots(showing: model.view, traced: traced) {
            switch slot.view {
            case .lastCall: ResultPane.draw(context, box: slot.rect, on: &grid)
            case .source: SourcePane.draw(context, box: slot.rect, on: &grid)
            case .output: ProgramOutputPane.draw(context, box: slot.rect, on: &grid)
            case .explain: ExplainPane.draw(context, box: slot.rect, on: &grid)
            case .timeline: TimelinePane.draw(context, box: slot.rect, on: &grid)
            }
        }
        QueuesPane.draw(context, box: layout.queues, on: &grid)
        if let end = model.programEnd {
            LogPane.draw(context, box: ProgramEndPane.logBox(end, layout.log), on: &grid)
            ProgramEndPane.draw(end, context, in: layout.log, on: &grid)
        } else {
            LogPane.draw(context, box: layout.log, on: &grid)
        }
        drawFooter(model, context, layout, width: width, height: height, on: &grid)
        return grid
    }

    /// The status line, the key bar and the overlays.
    private static func drawFooter(_ model: DashboardModel, _ context: RenderContext, _ layout: Layout, width: Int, height: Int, on grid: inout TextGrid) {
        if let status = layout.status, let text = model.status {
            grid.put(Format.fit(text, width: status.width, ellipsis: context.ellipsis), x: status.x, y: status.y, role: .highlight)
        }
        KeyBar.draw(context, in: layout.keyBar, on: &grid)
        if model.choosingBreakpoints { BreakpointOverlay.draw(context, width: width, height: height, on: &grid) }
        if model.showHelp { HelpOverlay.draw(context, width: width, height: height, on: &grid) }
    }
}
