import SelectCore
import Clients

/// `clients`: the processes the dashboard spawned — pid, kind, state, and the last line
/// each printed (`b'Hello, world'`). The newest stay in view: they are the ones `x` and `r`
/// act on.
enum ClientsPane {
    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let labels = context.labels
        let clients = context.model.clients
        let interval = Format.decimal(context.model.clientInterval, places: context.model.clientInterval < 1 ? 2 : 1) + "s"
        let replaying = context.model.replay != nil
        var title = [Span(labels[.clients], .title), Span(" \(clients.count)", .dim)]
        // A replay starts no clients: the interval new ones would get means nothing there.
        if !replaying { title.append(Span(context.glyphs.separator + labels[.every] + " " + interval, .dim)) }
        grid.drawTitle(title, on: box)

        let area = box.inner
        guard area.height > 0 else { return }
        if clients.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(Format.fit(labels[replaying ? .recordedNoClients : .noClients], width: area.width, ellipsis: context.ellipsis),
                      .dim, into: &grid)
            return
        }
        // With a single row, the newest client says more than "+N more".
        let cut = clients.count > area.height && area.height > 1
        let shown = clients.suffix(cut ? area.height - 1 : area.height)
        var row = 0
        if cut {
            var pen = Pen(row: 0, in: area)
            pen.write(context.ellipsis + " " + labels.more(clients.count - shown.count), .dim, into: &grid)
            row = 1
        }
        let pidWidth = shown.map { Format.digits(Int($0.pid)) }.max() ?? 1
        let kindWidth = ClientKind.allCases.map { $0.rawValue.count }.max()!
        let stateWidth = [ClientRow.State.running, .stopping, .exited].map { DisplayWidth.of(labels.clientState($0)) }.max()!
        // The state column earns its place only when the last line keeps room to be read.
        let showState = area.width - pidWidth - kindWidth - stateWidth - 3 >= 16
        for client in shown {
            var pen = Pen(row: row, in: area)
            let role: Role = client.state == .exited ? .dim : client.state == .stopping ? .warning : .normal
            pen.column(String(client.pid), width: pidWidth, alignRight: true, role, ellipsis: context.ellipsis, into: &grid)
            pen.skip(1)
            pen.column(client.kind.rawValue, width: kindWidth, role == .normal ? .label : role, ellipsis: context.ellipsis, into: &grid)
            pen.skip(1)
            if showState {
                pen.column(labels.clientState(client.state), width: stateWidth, role, ellipsis: context.ellipsis, into: &grid)
                pen.skip(1)
            }
            let last = client.state == .exited ? (client.exitDescription.map(labels.exitDescription) ?? client.lastLine) : client.lastLine
            pen.write(Format.fit(last, width: pen.remaining, ellipsis: context.ellipsis), role, into: &grid)
            row += 1
        }
    }
}
