import SelectCore

/// `last call`: what the last readiness call was given and what came back, drawn the way
/// its backend sees it (fd_set bits, pollfd array, epoll interest and ready lists). When
/// paused, its first line says what the next call will be given.
enum ResultPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let record = context.server.lastRecord
        let inFlight = context.model.replay == nil ? context.server.inFlight : nil
        var title = [Span(context.labels[.lastCall], .title)]
        if let record {
            title.append(Span(" #\(record.seq)", .dim))
            if record.interrupted { title.append(Span(" " + context.labels.interrupted, .warning)) }
        } else if let inFlight {
            title.append(Span(context.glyphs.separator + context.labels.callInFlight(seq: inFlight.seq), .dim))
        }
        // The call named is the one the record (or the call in flight) made, not the backend
        // chosen since: after `b` the pane still shows the old call until the next one.
        let backend = inFlight?.backend ?? record?.backend ?? context.server.backend
        grid.drawTitle(title, right: [Span(callName(backend), .dim)], on: box)

        let area = box.inner
        var lines: [[Span]] = []
        if let inFlight {
            lines.append(inFlightLine(inFlight, context, width: area.width))
        } else if let pending = pendingLine(context, width: area.width) {
            lines.append(pending)
        }
        if let record {
            lines.append(timingLine(record, context, width: area.width))
            let rows = area.height - lines.count
            switch record.backend {
            case .select: lines += FDSetView.lines(record, context, width: area.width, rows: rows)
            case .poll: lines += PollView.lines(record, context, width: area.width, rows: rows)
            case .epoll: lines += EpollView.lines(record, context, width: area.width, rows: rows)
            }
            // Under the bits, what the symbols mean; then the backend's one-sentence lesson,
            // whole or not at all.
            if record.backend == .select, lines.count < area.height, let legend = FDSetView.legend(record, context, width: area.width) {
                lines.append(legend)
            }
            let note = Format.wrap(note(record.backend, context), width: area.width)
            let left = area.height - lines.count
            if left > note.count { lines.append([]) }
            if left >= note.count { lines += note.map { [Span($0, .dim)] } }
        } else if let inFlight {
            // The first call: what it was given, its results still to come.
            if inFlight.backend == .select {
                var given = StepRecord()
                given.seq = inFlight.seq
                given.backend = inFlight.backend
                given.timeout = inFlight.timeout
                given.inputs = context.server.inputs
                given.outputs = context.server.outputs
                given.internalFDs = inFlight.internalFDs
                lines += FDSetView.lines(given, context, width: area.width, rows: area.height - lines.count, waiting: true)
            }
        } else {
            lines.append([Span(context.labels[.noCallYet], .dim)])
        }
        for (row, line) in lines.prefix(area.height).enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(line, into: &grid)
        }
    }

    /// The call in flight as named: a traced program's own system call, else the backend's.
    static func callName(_ call: InFlightCall) -> String {
        call.name.map { $0 + "()" } ?? callName(call.backend)
    }

    static func callName(_ backend: BackendKind) -> String {
        switch backend {
        case .select: return "select()"
        case .poll: return "poll()"
        case .epoll: return "epoll_wait()"
        }
    }

    /// `▶ in select() #7  blocked for 3s  timeout none  nfds 7  inputs [3,5,6] outputs [5]`:
    /// the call the server is inside now. The lists go last and give way first.
    static func inFlightLine(_ call: InFlightCall, _ context: RenderContext, width: Int) -> [Span] {
        let labels = context.labels
        let elapsed = max(0, context.model.now - call.startedAt)
        var line = [Span(context.glyphs.arrow + " " + labels.inFlight(callName(call), seq: call.seq), .highlight),
                    Span("  " + labels.blockedFor(elapsed), .warning)]
        if let timeout = call.timeout {
            line.append(Span("  " + labels[.timeout] + " " + Format.timeout(timeout, none: labels[.none]) + ", " + labels.timeLeft(timeout - elapsed), .label))
        } else {
            line += [Span("  " + labels[.timeout] + " ", .label), Span(labels[.none])]
        }
        let server = context.server
        let highest = max(server.inputs.max() ?? -1, server.outputs.max() ?? -1, call.internalFDs.max() ?? -1)
        if call.backend == .select { line.append(Span("  nfds \(Int(highest) + 1)", .dim)) }
        let inputsLabel = "  inputs "
        let outputsLabel = " outputs "
        let room = width - line.displayWidth - inputsLabel.count - outputsLabel.count
        if room >= 8 {
            let shown = Format.fdLists([server.inputs, server.outputs], room: room, ellipsis: context.ellipsis)
            line += [Span(inputsLabel, .label), Span(shown[0]), Span(outputsLabel, .label), Span(shown[1])]
        }
        return line
    }

    /// While paused: `PAUSED  next call: inputs [3,5,6] outputs [5]`; while stepping, that
    /// the server is inside the call with those lists.
    static func pendingLine(_ context: RenderContext, width: Int) -> [Span]? {
        let labels = context.labels
        var line: [Span]
        switch context.server.runState {
        case .paused: line = [Span(labels[.paused], .warning), Span("  " + labels[.nextCall], .label)]
        case .stepping: line = [Span(labels.waiting(in: context.callName), .highlight)]
        case .running, .stopped: return nil
        }
        if context.model.replay != nil { return nil }
        let inputsLabel = " inputs "
        let outputsLabel = " outputs "
        func lists(after line: [Span]) -> [String] {
            let room = width - line.displayWidth - inputsLabel.count - outputsLabel.count
            return Format.fdLists([context.server.inputs, context.server.outputs], room: room, ellipsis: context.ellipsis)
        }
        var shown = lists(after: line)
        if context.server.runState == .stepping, shown[0].contains(context.ellipsis) {
            // The header already says "waiting in select()...": here the lists matter more.
            line = [Span(context.callName + ":", .highlight)]
            shown = lists(after: line)
        }
        line += [Span(inputsLabel, .label), Span(shown[0]), Span(outputsLabel, .label), Span(shown[1])]
        return line
    }

    /// `timeout none  blocked 2.1ms  cost 3.0µs`, and `→ nothing ready` for a timeout.
    static func timingLine(_ record: StepRecord, _ context: RenderContext, width: Int) -> [Span] {
        let labels = context.labels
        var line = [
            Span(labels[.timeout] + " ", .label), Span(Format.timeout(record.timeout, none: labels[.none])),
            Span("  " + labels[.blocked] + " ", .label), Span(Format.milliseconds(record.blockedMilliseconds)),
        ]
        if record.interrupted {
            line.append(Span("  " + context.glyphs.arrow + " " + labels.interrupted, .warning))
            return line
        }
        if record.isEmptyResult && record.internalReady.isEmpty {
            line.append(Span("  " + context.glyphs.arrow + " " + labels[.nothingReady], .warning))
        }
        // A call whose cost was not measured shows none, not "0.0µs".
        guard record.costMicroseconds > 0 else { return line }
        let cost = [Span("  " + labels[.cost] + " ", .label), Span(Format.microseconds(record.costMicroseconds, micro: context.glyphs.micro))]
        return line.displayWidth + cost.displayWidth <= width ? line + cost : line
    }

    private static func note(_ backend: BackendKind, _ context: RenderContext) -> String {
        switch backend {
        case .select: return context.labels[.selectNote]
        case .poll: return context.labels[.pollNote]
        case .epoll: return context.labels[.epollNote]
        }
    }

    /// `readable [5]  writable [5]  exceptional []`: the three lists the seed prints.
    static func resultLine(_ record: StepRecord, _ context: RenderContext, width: Int) -> [Span] {
        let labels = context.labels
        let words = [labels[.readable] + " ", "  " + labels[.writable] + " ", "  " + labels[.exceptional] + " "]
        let lists = Format.fdLists([record.readable, record.writable, record.exceptional],
                                   room: width - words.map(DisplayWidth.of).reduce(0, +), ellipsis: context.ellipsis)
        return [
            Span(words[0], .readable), Span(lists[0]),
            Span(words[1], .writable), Span(lists[1]),
            Span(words[2], .exceptional), Span(lists[2]),
        ]
    }
}
