import SelectCore

/// `queues`: one row per connection — how much the server holds for it, how much it moved,
/// and whether backpressure stopped reading it (`full`: its queue reached the cap, so it is
/// out of `inputs` until it drains; a different word from the loop's PAUSED). When all rows fit they stay in accept
/// order, so nothing jumps while you watch; when they do not, the deepest (then the most
/// recently busy) come first and the scroll keys page through the rest.
enum QueuesPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let server = context.server
        let labels = context.labels
        let sep = context.glyphs.separator
        let connections = server.connections
        let area = box.inner
        // One row of room goes to a connection, not to the column names above none.
        let headerRows = headerRows(area.height)
        let visible = max(0, area.height - headerRows)
        let sorted = connections.count > visible

        var paused = 0
        var queued = 0
        for index in connections.indices {
            if connections[index].state == .paused { paused += 1 }
            queued += connections[index].queuedBytes
        }
        var title = [Span(labels[.queues], .title), Span(" \(connections.count)", .dim)]
        if server.tracedProgram {
            title.append(Span(sep + labels[.queuesUnknown], .dim))
        } else {
            title.append(Span(sep + labels[.pausedCount] + " \(paused)", paused > 0 ? .warning : .dim))
            title.append(Span(sep + labels[.queued] + " " + Format.bytes(queued), .dim))
        }
        if sorted { title.append(Span(sep + labels[.deepestFirst], .dim)) }
        if server.queueCap > 0 { title.append(Span(sep + labels.capEach(Format.bytes(server.queueCap)), .dim)) }

        let scroll = sorted ? min(max(0, context.model.scroll), connections.count - visible) : 0
        let shown = shownRows(server, visible: visible, scroll: context.model.scroll)
        let position = sorted && !shown.isEmpty ? [Span("\(scroll + 1)-\(scroll + shown.count)/\(connections.count)", .dim)] : []
        grid.drawTitle(title, right: position, on: box)

        guard area.height > 0 else { return }
        if connections.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(labels[.empty], .dim, into: &grid)
            return
        }
        let columns = QueueColumns(shown, context, width: area.width)
        if headerRows > 0 {
            var header = Pen(row: 0, in: area)
            columns.header(&header, into: &grid)
        }
        for (index, row) in shown.prefix(visible).enumerated() {
            var pen = Pen(row: index + headerRows, in: area)
            columns.row(row, &pen, into: &grid)
            if row.fd == context.model.selection { grid.restyle(y: area.y + index + headerRows, x: area.x, width: area.width, .highlight) }
        }
    }

    /// The column names take a row only when a connection row fits under them.
    static func headerRows(_ height: Int) -> Int { height >= 2 ? 1 : 0 }

    /// The rows on screen: all in accept order when they fit, else a page of them deepest first.
    static func shownRows(_ server: ServerSnapshot, visible: Int, scroll: Int) -> [ConnectionRow] {
        let connections = server.connections
        guard connections.count > visible else { return connections }
        let scroll = min(max(0, scroll), connections.count - visible)
        let top = TopK.indices(count: connections.count, k: scroll + visible) { deeperFirst(connections, $0, $1) }
        return top.dropFirst(scroll).map { connections[$0] }
    }

    /// Deepest queue first, then the most recently ready, then by fd so ties stay put.
    static func deeperFirst(_ rows: [ConnectionRow], _ a: Int, _ b: Int) -> Bool {
        if rows[a].queuedBytes != rows[b].queuedBytes { return rows[a].queuedBytes > rows[b].queuedBytes }
        if rows[a].lastActiveSeq != rows[b].lastActiveSeq { return rows[a].lastActiveSeq > rows[b].lastActiveSeq }
        return rows[a].fd < rows[b].fd
    }
}
