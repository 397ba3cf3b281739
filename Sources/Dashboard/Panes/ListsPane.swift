import SelectCore

/// `inputs` or `outputs` as the server holds them now, in order: what the next call is
/// given. An fd that came back ready from the last call is drawn in that result's role.
enum ListsPane {
    enum Which { case inputs, outputs }

    static func draw(_ which: Which, _ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let server = context.server
        let fds = which == .inputs ? server.inputs : server.outputs
        let term: Term = which == .inputs ? .inputs : .outputs
        let area = box.inner

        // The listener's accept queue (connections the kernel made that no accept() has taken
        // yet) goes on the listener's row, "(2 pending)", or into the title when the row is full.
        var pendingNote: String?
        var pendingInTitle = false
        if which == .inputs, let pending = server.listenerPending, pending > 0, fds.contains(server.listener) {
            let fdWidth = fds.prefix(max(1, area.height)).map { Format.digits(Int($0)) }.max() ?? 1
            let row = fdWidth + 1 + context.describe(fd: server.listener).displayWidth
            let onRow = context.labels.pendingAfter(pending)
            pendingInTitle = row + DisplayWidth.of(onRow) > area.width
            pendingNote = pendingInTitle ? context.labels.pending(pending) : onRow
        }
        var title = [Span(context.labels[term], .title), Span(" \(fds.count)", .dim)]
        if pendingInTitle, let pendingNote { title.append(Span(context.glyphs.separator + pendingNote, .warning)) }
        grid.drawTitle(title, on: box)

        guard area.height > 0 else { return }
        if fds.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(context.labels[.empty], .dim, into: &grid)
            // Why is the exercise's to say: a traced program's mode is unknown.
            if which == .outputs && !server.tracedProgram {
                let why = Format.fit(context.glyphs.separator + whyNoOutputs(server.mode, context.labels), width: pen.remaining, ellipsis: context.ellipsis)
                pen.write(why, .dim, into: &grid)
            }
            return
        }
        // With a single row, an entry says more than "+N more": the title has the count.
        let cut = fds.count > area.height && area.height > 1
        let shown = fds.prefix(cut ? area.height - 1 : area.height)
        let ready = which == .inputs ? server.lastRecord?.readable : server.lastRecord?.writable
        let readyRole: Role = which == .inputs ? .readable : .writable
        let fdWidth = shown.map { Format.digits(Int($0)) }.max() ?? 1

        for (row, fd) in shown.enumerated() {
            var pen = Pen(row: row, in: area)
            let isReady = ready?.contains(fd) ?? false
            let role: Role = fd == server.listener ? .listener : isReady ? readyRole : .normal
            pen.column(String(fd), width: fdWidth, alignRight: true, role, ellipsis: context.ellipsis, into: &grid)
            pen.write(" ", into: &grid)
            pen.write(context.describe(fd: fd), into: &grid)
            if fd == server.listener, !pendingInTitle, let pendingNote { pen.write(pendingNote, .warning, into: &grid) }
            if fd == context.model.selection { grid.restyle(y: area.y + row, x: area.x, width: area.width, .highlight) }
        }
        if cut {
            var pen = Pen(row: area.height - 1, in: area)
            pen.write(context.glyphs.ellipsis + " " + context.labels.more(fds.count - shown.count), .dim, into: &grid)
        }
    }

    /// Why `outputs` is empty: the exercise never sends, sends from the recv branch, or
    /// has simply drained every queue.
    static func whyNoOutputs(_ mode: Mode, _ labels: Labels) -> String {
        switch mode.dataHandling {
        case .queueOnly: return labels[.outputsUnused]
        case .echoDirectly: return labels[.outputsDirect]
        case .queueForWritable: return labels[.outputsDrained]
        }
    }
}
