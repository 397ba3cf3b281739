import SelectCore
import Clients

/// `clients`: the processes the dashboard spawned — pid, kind, state, the server-side fd and
/// local port each is on, and the last line each printed (`b'Hello, world'`). The newest stay
/// in view: they are the ones `x` and `r` act on when nothing is selected. Finished clients
/// fold into a count after a few seconds, so the running ones stay visible.
enum ClientsPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let labels = context.labels
        let clients = context.model.clients
        let folded = context.model.foldedClients
        let interval = Format.decimal(context.model.clientInterval, places: context.model.clientInterval < 1 ? 2 : 1) + "s"
        let replaying = context.model.replay != nil
        var title = [Span(labels[.clients], .title), Span(" \(clients.count)", .dim)]
        // A replay starts no clients: the interval new ones would get means nothing there.
        if !replaying { title.append(Span(context.glyphs.separator + labels[.every] + " " + interval, .dim)) }
        grid.drawTitle(title, on: box)

        let area = box.inner
        guard area.height > 0 else { return }
        if clients.isEmpty && folded == 0 {
            var pen = Pen(row: 0, in: area)
            pen.write(Format.fit(labels[replaying ? .recordedNoClients : .noClients], width: area.width, ellipsis: context.ellipsis),
                      .dim, into: &grid)
            return
        }
        let rows = shownRows(clients, folded: folded, rows: area.height)
        let shown = rows.compactMap { $0 }
        let pidWidth = shown.map { Format.digits(Int($0.pid)) }.max() ?? 1
        let kindWidth = ClientKind.allCases.map { $0.rawValue.count }.max()!
        let stateWidth = [ClientRow.State.running, .stopping, .exited].map { DisplayWidth.of(labels.clientState($0)) }.max()!
        let server = context.server
        // Which connection each is on the server's side: `fd 5 :54321`.
        func place(_ client: ClientRow) -> (fd: Int32?, text: String)? {
            guard let port = client.localPort, client.state != .exited else { return nil }
            let fd = server.connections.first { $0.peer.port == port }?.fd
            return (fd, (fd.map { "fd \($0) " } ?? "") + ":\(port) ")
        }
        let placeWidth = shown.compactMap { place($0).map { DisplayWidth.of($0.text) } }.max() ?? 0
        // The state column earns its place only when the last line keeps room to be read;
        // so does the server-side place after it (full, or the fd alone).
        let showState = area.width - pidWidth - kindWidth - stateWidth - 3 >= 16
        for (row, client) in rows.enumerated() {
            var pen = Pen(row: row, in: area)
            guard let client else {
                let hidden = clients.count + folded - shown.count
                let text = folded > 0 && hidden == folded ? finishedNote(folded, context) : context.ellipsis + " " + labels.more(hidden)
                pen.write(Format.fit(text, width: pen.remaining, ellipsis: context.ellipsis), .dim, into: &grid)
                continue
            }
            let role: Role = client.state == .exited ? .dim : client.state == .stopping ? .warning : .normal
            pen.column(String(client.pid), width: pidWidth, alignRight: true, role, ellipsis: context.ellipsis, into: &grid)
            pen.skip(1)
            pen.column(client.kind.rawValue, width: kindWidth, role == .normal ? .label : role, ellipsis: context.ellipsis, into: &grid)
            pen.skip(1)
            if showState {
                pen.column(labels.clientState(client.state), width: stateWidth, role, ellipsis: context.ellipsis, into: &grid)
                pen.skip(1)
            }
            let connection = place(client)
            let connectionFD = connection?.fd
            if let connection {
                if pen.remaining - placeWidth >= 16 {
                    pen.write(Format.pad(connection.text, to: placeWidth), .dim, into: &grid)
                } else if let fd = connection.fd, pen.remaining - 6 >= 16 {
                    pen.write(Format.pad("fd \(fd) ", to: 6), .dim, into: &grid)
                }
            }
            let last = client.state == .exited ? (client.exitDescription.map(labels.exitDescription) ?? client.lastLine) : client.lastLine
            pen.write(Format.fit(last, width: pen.remaining, ellipsis: context.ellipsis), role, into: &grid)
            if let connectionFD, connectionFD == context.model.selection {
                grid.restyle(y: area.y + row, x: area.x, width: area.width, .highlight)
            }
        }
    }

    /// What each row shows: a client, or nil for the one line that says how many are left
    /// out (finished ones folded, or the oldest cut for room). The newest stay in view.
    static func shownRows(_ clients: [ClientRow], folded: Int, rows: Int) -> [ClientRow?] {
        guard rows > 0 else { return [] }
        let noteRow = folded > 0 || clients.count > rows
        // With a single row, the newest client says more than "+N more".
        if rows == 1 { return clients.isEmpty ? [nil] : [clients.last!] }
        let room = noteRow ? rows - 1 : rows
        return (noteRow ? [nil] : []) + clients.suffix(room).map { Optional($0) }
    }

    static func finishedNote(_ count: Int, _ context: RenderContext) -> String {
        context.model.language == .en ? "+\(count) finished" : "另有 \(count) 個已結束"
    }
}
