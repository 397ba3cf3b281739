import SelectCore

/// The columns of the queues pane, sized for the rows on screen. Optional columns (the
/// depth bar, the kernel's own queues) appear only when there is room for them. A traced
/// program's own queues are unknown: its rows have no `msgs` and `queued`, and the kernel's
/// queues are what there is to show.
struct QueueColumns {
    private let context: RenderContext
    private let ownQueues: Bool
    private let fdWidth: Int
    private let peerWidth: Int
    private let stateWidth: Int
    private let barWidth: Int
    private let showKernel: Bool
    static let numberWidth = 6

    init(_ rows: [ConnectionRow], _ context: RenderContext, width: Int) {
        let labels = context.labels
        self.context = context
        fdWidth = max(2, rows.map { Format.digits(Int($0.fd)) }.max() ?? 2)
        let peers = rows.map { DisplayWidth.of($0.peer.description) }.max() ?? 4
        peerWidth = min(max(peers, DisplayWidth.of(labels[.peer])), 21)
        stateWidth = [labels[.state], labels[.reading], labels[.pausedState], labels[.closing]].map(DisplayWidth.of).max()!
        ownQueues = !context.server.tracedProgram
        let fixed = fdWidth + 1 + peerWidth + 1 + (ownQueues ? 4 : 2) * (Self.numberWidth + 1) + 1 + stateWidth + 1
        var spare = width - fixed
        let wantsKernel = rows.contains { $0.kernelUnread != nil || $0.kernelUnsent != nil }
        showKernel = wantsKernel && spare >= 2 * (Self.numberWidth + 1) + 6
        if showKernel { spare -= 2 * (Self.numberWidth + 1) }
        barWidth = context.server.queueCap > 0 && spare >= 5 ? min(spare - 1, 12) : 0
    }

    func header(_ pen: inout Pen, into grid: inout TextGrid) {
        let labels = context.labels
        cell(&pen, labels[.fd], fdWidth, right: true, .label, &grid)
        cell(&pen, labels[.peer], peerWidth, right: false, .label, &grid)
        for term in ownQueues ? [Term.msgs, .queued, .bytesIn, .bytesOut] : [.bytesIn, .bytesOut] {
            cell(&pen, labels[term], Self.numberWidth, right: true, .label, &grid)
        }
        pen.skip(1)
        cell(&pen, labels[.state], stateWidth, right: false, .label, &grid)
        if showKernel {
            cell(&pen, labels[.kernelUnread], Self.numberWidth, right: true, .label, &grid)
            cell(&pen, labels[.kernelUnsent], Self.numberWidth, right: true, .label, &grid)
        }
        if barWidth > 0 {
            pen.skip(1)
            pen.write(labels[.depth], .label, into: &grid)
        }
    }

    func row(_ row: ConnectionRow, _ pen: inout Pen, into grid: inout TextGrid) {
        let role: Role = row.state == .paused ? .warning : row.state == .closing ? .dim : .normal
        let cap = context.server.queueCap
        cell(&pen, String(row.fd), fdWidth, right: true, role, &grid)
        cell(&pen, row.peer.description, peerWidth, right: false, role, &grid)
        let full = cap > 0 && row.queuedBytes >= cap
        if ownQueues {
            cell(&pen, String(row.queuedMessages), Self.numberWidth, right: true, role, &grid)
            cell(&pen, Format.bytes(row.queuedBytes), Self.numberWidth, right: true, full ? .warning : role, &grid)
        }
        cell(&pen, Format.bytes(row.bytesIn), Self.numberWidth, right: true, role, &grid)
        cell(&pen, Format.bytes(row.bytesOut), Self.numberWidth, right: true, role, &grid)
        pen.skip(1)
        cell(&pen, context.labels.queueState(row.state), stateWidth, right: false, role, &grid)
        if showKernel {
            cell(&pen, row.kernelUnread.map(Format.bytes) ?? "-", Self.numberWidth, right: true, .dim, &grid)
            cell(&pen, row.kernelUnsent.map(Format.bytes) ?? "-", Self.numberWidth, right: true, .dim, &grid)
        }
        if barWidth > 0 {
            pen.skip(1)
            // The cap is checked before each recv, so a queue can pass it by up to one recv:
            // say so, rather than let `queued 65K` under `cap 64K` look like a broken cap.
            let over = cap > 0 ? row.queuedBytes - cap : 0
            let note = over > 0 ? " " + context.labels.overCap(Format.bytes(over)) : ""
            let barRoom = over > 0 ? max(1, barWidth - DisplayWidth.of(note)) : barWidth
            let bar = context.glyphs.bar(Double(row.queuedBytes) / Double(cap), width: barRoom)
            pen.write(bar, full ? .warning : .highlight, into: &grid)
            if over > 0 {
                pen.skip(barRoom - DisplayWidth.of(bar))
                pen.write(note, .warning, into: &grid)
            }
        }
    }

    /// One cell and the space after it.
    private func cell(_ pen: inout Pen, _ text: String, _ width: Int, right: Bool, _ role: Role, _ grid: inout TextGrid) {
        pen.column(text, width: width, alignRight: right, role, ellipsis: context.ellipsis, into: &grid)
        pen.skip(1)
    }
}
