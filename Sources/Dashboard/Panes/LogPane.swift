import SelectCore

/// `log`: the most recent events in the seed's own words, newest at the bottom, each with
/// the number of the call that produced it.
enum LogPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        var title = [Span(context.labels[.log], .title)]
        let breakpoints = Breakpoint.allCases.filter { context.model.breakpoints.contains($0) }
        if !breakpoints.isEmpty {
            let names = breakpoints.count == Breakpoint.allCases.count ? "all" : breakpoints.map(\.rawValue).joined(separator: ",")
            title.append(Span(context.glyphs.separator + context.labels.breakpointsShort + " " + names, .warning))
        }
        grid.drawTitle(title, on: box)
        let area = box.inner
        guard area.height > 0 else { return }
        // Scrolled back through the history (PgUp/PgDn, Home/End, j/k), else the newest.
        let log = context.server.log
        let back = min(max(0, context.model.logScroll), max(0, log.count - area.height))
        let entries = log.dropLast(back).suffix(area.height)
        if back > 0 {
            title.append(Span(context.glyphs.separator + context.glyphs.down + "\(back) " + (context.model.language == .en ? "newer (End)" : "較新（End）"), .highlight))
            grid.drawTitle(title, on: box)
        }
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
            if entry.event.fd >= 0, entry.event.fd == context.model.selection {
                grid.restyle(y: area.y + row, x: area.x, width: area.width, .highlight)
            }
        }
    }

    static func role(of event: ServerEvent) -> Role {
        switch event.kind {
        case .accept: return .listener
        case .recv: return event.isEndOfStream ? .normal : .readable
        case .send: return event.isShortSend ? .warning : .writable
        case .queueEmpty: return .dim
        case .close: return event.reason == .error || event.reason == .fdSetSize ? .error : .normal
        case .timeout, .paused: return .warning
        case .refused: return .error
        case .resumed: return .normal
        case .draining, .peerFinished, .underBudget, .listenerResumed: return .normal
        case .overBudget, .listenerPaused: return .warning
        case .listen: return event.detail == ServerEvent.withoutReuseAddress ? .warning : .listener
        case .mode, .backend: return .title
        case .exceptional, .urgent: return .exceptional
        }
    }
}
