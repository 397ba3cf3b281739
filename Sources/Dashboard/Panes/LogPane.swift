import SelectCore

/// `log`: the most recent events in the seed's own words, newest at the bottom, each with
/// the number of the call that produced it.
enum LogPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        grid.drawTitle([Span(context.labels[.log], .title)], on: box)
        let area = box.inner
        guard area.height > 0 else { return }
        let entries = context.server.log.suffix(area.height)
        if entries.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(context.labels[.noEvents], .dim, into: &grid)
            return
        }
        let seqWidth = 1 + (entries.map { Format.digits($0.seq) }.max() ?? 1)
        for (row, entry) in entries.enumerated() {
            var pen = Pen(row: row, in: area)
            pen.column("#\(entry.seq)", width: seqWidth, alignRight: true, .dim, ellipsis: context.ellipsis, into: &grid)
            pen.skip(1)
            var line = SeedLog.line(for: entry.event)
            // The seed's words cut a long payload with "…"; a terminal without UTF-8 gets dots.
            if context.model.asciiOnly { line = line.replacing("…", with: context.ellipsis) }
            pen.write(Format.fit(line, width: pen.remaining, ellipsis: context.ellipsis), role(of: entry.event), into: &grid)
        }
    }

    static func role(of event: ServerEvent) -> Role {
        switch event.kind {
        case .accept: return .listener
        case .recv: return .readable
        case .send: return event.isShortSend ? .warning : .writable
        case .queueEmpty: return .dim
        case .close: return event.reason == .error || event.reason == .fdSetSize ? .error : .normal
        case .timeout, .paused: return .warning
        case .refused: return .error
        case .resumed: return .normal
        case .draining, .peerFinished, .underBudget, .listenerResumed: return .normal
        case .overBudget, .listenerPaused: return .warning
        case .mode, .backend: return .title
        case .exceptional, .urgent: return .exceptional
        }
    }
}
