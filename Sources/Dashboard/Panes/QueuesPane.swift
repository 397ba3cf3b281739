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
        let visible = max(0, area.height - 1)
        let sorted = connections.count > visible

        var paused = 0
        var queued = 0
        for index in connections.indices {
            if connections[index].state == .paused { paused += 1 }
            queued += connections[index].queuedBytes
        }
        var title = [
            Span(labels[.queues], .title), Span(" \(connections.count)", .dim),
            Span(sep + labels[.pausedCount] + " \(paused)", paused > 0 ? .warning : .dim),
            Span(sep + labels[.queued] + " " + Format.bytes(queued), .dim),
        ]
        if sorted { title.append(Span(sep + labels[.deepestFirst], .dim)) }
        if server.queueCap > 0 { title.append(Span(sep + labels.capEach(Format.bytes(server.queueCap)), .dim)) }

        let scroll = sorted ? min(max(0, context.model.scroll), connections.count - visible) : 0
        let shown: [ConnectionRow]
        if sorted {
            let top = TopK.indices(count: connections.count, k: scroll + visible) { deeperFirst(connections, $0, $1) }
            shown = top.dropFirst(scroll).map { connections[$0] }
        } else {
            shown = connections
        }
        let position = sorted && !shown.isEmpty ? [Span("\(scroll + 1)-\(scroll + shown.count)/\(connections.count)", .dim)] : []
        grid.drawTitle(title, right: position, on: box)

        guard area.height > 0 else { return }
        if connections.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(labels[.empty], .dim, into: &grid)
            return
        }
        let columns = QueueColumns(shown, context, width: area.width)
        var header = Pen(row: 0, in: area)
        columns.header(&header, into: &grid)
        for (index, row) in shown.prefix(visible).enumerated() {
            var pen = Pen(row: index + 1, in: area)
            columns.row(row, &pen, into: &grid)
        }
    }

    /// Deepest queue first, then the most recently ready, then by fd so ties stay put.
    static func deeperFirst(_ rows: [ConnectionRow], _ a: Int, _ b: Int) -> Bool {
        if rows[a].queuedBytes != rows[b].queuedBytes { return rows[a].queuedBytes > rows[b].queuedBytes }
        if rows[a].lastActiveSeq != rows[b].lastActiveSeq { return rows[a].lastActiveSeq > rows[b].lastActiveSeq }
        return rows[a].fd < rows[b].fd
    }
}
