import SelectCore

/// The top lines: which exercise is running on which backend and address, the running
/// totals, and whether the server is running, paused, inside a call, or replayed.
enum HeaderPane {
    static func lineCount(_ model: DashboardModel) -> Int {
        model.replay?.damage != nil ? 3 : 2
    }

    static func draw(_ context: RenderContext, in rect: Rect, on grid: inout TextGrid) {
        let server = context.server
        let labels = context.labels

        // A terminal that cannot draw box characters cannot draw Chinese either.
        let seedTitle = context.model.asciiOnly ? server.mode.englishTitle : labels.seedTitle(server.mode)
        var title = [Span(labels.mode(server.mode), .title), Span("  "), Span(seedTitle, .highlight)]
        let place = [
            Span(labels[.backend] + " ", .label), Span(server.backend.rawValue), Span("  "),
            Span(server.listenAddress.description),
        ]
        if let program = context.model.program {
            title = [Span(program, .title)]
            // Several loops: whose this is (t shows the next).
            let threads = server.loopThreads
            if threads.count > 1, let shown = server.shownThread, let at = threads.firstIndex(of: shown) {
                title.append(Span("  " + labels.thread(tid: shown, position: at + 1, of: threads.count), .highlight))
            }
        } else if context.language == .en, !context.model.asciiOnly, !server.mode.seedTitle.contains(server.mode.englishTitle),
            title.displayWidth + place.displayWidth + DisplayWidth.of(server.mode.englishTitle) + 6 <= rect.width
        {
            title.append(Span("  " + server.mode.englishTitle, .dim))
        }
        line(title, right: place, row: 0, in: rect, ellipsis: context.ellipsis, on: &grid)

        let counters = server.counters
        var totals: [Span] = [
            (labels[.calls], "\(counters.calls)"), (labels[.timeouts], "\(counters.timeouts)"),
            (labels[.conns], "\(server.connections.count)"), (labels[.bytesIn], Format.bytes(counters.bytesIn)),
            (labels[.bytesOut], Format.bytes(counters.bytesOut)),
        ].enumerated().flatMap { index, pair in
            [Span((index > 0 ? "  " : "") + pair.0 + " ", .label), Span(pair.1)]
        }
        // The loop's bugs found so far, so they are noticed whatever view is shown (the
        // explain view words them): red while one goes on.
        let diagnoses = server.diagnoses
        if !diagnoses.isEmpty {
            let role: Role = diagnoses.contains(where: \.ongoing) ? .error : .warning
            totals += [Span("  " + labels[.bugs] + " ", role), Span("\(diagnoses.count)", role)]
        }
        let (state, detail) = state(context)
        // A replay's speed and play state are what its keys change: they stay, and the
        // totals give way.
        let roomy = totals.displayWidth + 2 + state.displayWidth + detail.displayWidth <= rect.width
        let keepDetail = roomy || context.model.replay != nil
        line(totals, right: keepDetail ? state + detail : state, row: 1, in: rect, ellipsis: context.ellipsis, on: &grid)

        if let damage = context.model.replay?.damage, rect.height > 2 {
            line([Span(labels.prefixed(labels[.damagedTrace], damage), .error)], right: [], row: 2, in: rect, ellipsis: context.ellipsis, on: &grid)
        }
    }

    /// The run state, or where a replay stands: the thing to notice first, so it is drawn
    /// right-aligned and wins over the totals when space runs out. The detail (key hints,
    /// replay speed) is shown only when the totals keep their room.
    static func state(_ context: RenderContext) -> (state: [Span], detail: [Span]) {
        let labels = context.labels
        if let replay = context.model.replay {
            let playing = replay.playing ? labels[.replayPlaying] : labels[.replayPaused]
            return ([Span(labels.replay(position: replay.position, total: replay.total), .highlight)],
                    [Span(context.glyphs.separator + labels.speed(replay.speed) + context.glyphs.separator, .dim),
                     Span(playing, replay.playing ? .readable : .warning)])
        }
        let call = context.server.inFlight.map { [Span("  " + labels.inFlight(ResultPane.callName($0), seq: $0.seq), .dim)] } ?? []
        switch context.server.runState {
        case .running: return ([Span(labels[.running], .readable)], call)
        case .paused: return ([Span(labels[.paused], .warning)], [Span("  " + labels[.stepHint], .dim)])
        case .stepping: return ([Span(labels.waiting(in: context.callName), .highlight)], [])
        case .stopped: return ([Span(labels[.stopped], .error)], [])
        }
    }

    /// One header line: `left` from the left edge, `right` against the right edge, the
    /// left cut short (with an ellipsis) when both do not fit.
    private static func line(_ left: [Span], right: [Span], row: Int, in rect: Rect, ellipsis: String, on grid: inout TextGrid) {
        guard row < rect.height else { return }
        let y = rect.y + row
        let rightWidth = min(right.displayWidth, rect.width)
        var rightPen = Pen(x: rect.maxX - rightWidth, y: y, limit: rect.maxX)
        rightPen.write(right, into: &grid)
        let room = rect.width - rightWidth - (right.isEmpty ? 0 : 2)
        var pen = Pen(x: rect.x, y: y, limit: rect.x + max(0, room))
        if left.displayWidth <= room {
            pen.write(left, into: &grid)
        } else {
            pen = Pen(x: rect.x, y: y, limit: rect.x + max(0, room - DisplayWidth.of(ellipsis)))
            pen.write(left, into: &grid)
            grid.put(ellipsis, x: pen.x, y: y, role: .dim)
        }
    }
}
