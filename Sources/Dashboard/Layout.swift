/// Where each pane goes for a terminal size. Boxes that touch share a border, so the
/// rectangles overlap by one row or column.
///
/// ```
/// header (2 lines, 3 with a replay damage note)
/// ┌ inputs ──┬ last call ──────┐
/// ├ outputs ─┤                 │
/// ├ clients ─┤                 │
/// ├ queues ──┴─────────────────┤
/// ├ log ───────────────────────┤
/// └────────────────────────────┘
/// status (when set)
/// key bar
/// ```
public struct Layout: Sendable, Equatable {
    /// Below this the frame is one line saying so: the last-call pane needs its rows and
    /// the inputs pane an address.
    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public var header: Rect
    public var inputs: Rect
    public var outputs: Rect
    public var clients: Rect
    public var lastCall: Rect
    public var queues: Rect
    public var log: Rect
    public var status: Rect?
    public var keyBar: Rect

    /// Every pane box, for drawing the borders in one pass.
    public var boxes: [Rect] { [inputs, outputs, clients, lastCall, queues, log] }

    /// Connection rows the queues pane shows at once (below its column header): one page.
    public var queuePageRows: Int { max(0, queues.height - 3) }

    /// The layout for a terminal of this size, or nil when it is too small.
    public static func compute(width: Int, height: Int, headerLines: Int = 2, hasStatus: Bool = false) -> Layout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let statusRows = hasStatus ? 1 : 0
        let top = headerLines
        let bottom = height - 1 - statusRows  // exclusive: the key bar (and status) below
        // Four border rows: the top, under the first band, under the queues, the bottom.
        let content = bottom - top - 4
        guard content >= 7 else { return nil }

        let band = content >= 9 ? min(max(9, content * 2 / 5), content - 4) : content - 2
        let queueRows = max(1, (content - band) * 55 / 100)
        let logRows = content - band - queueRows

        let bandTop = top
        let bandBottom = bandTop + band + 1  // the shared border row under the band
        let queuesBottom = bandBottom + queueRows + 1
        let logBottom = queuesBottom + logRows + 1

        let leftWidth = min(max(width * 2 / 5, 24), 46)
        let stack = leftStack(rows: band - 2)
        let inputs = Rect(x: 0, y: bandTop, width: leftWidth, height: stack.inputs + 2)
        let outputs = Rect(x: 0, y: inputs.maxY - 1, width: leftWidth, height: stack.outputs + 2)
        let clients = Rect(x: 0, y: outputs.maxY - 1, width: leftWidth, height: bandBottom - outputs.maxY + 2)

        return Layout(
            header: Rect(x: 0, y: 0, width: width, height: headerLines),
            inputs: inputs,
            outputs: outputs,
            clients: clients,
            lastCall: Rect(x: leftWidth - 1, y: bandTop, width: width - leftWidth + 1, height: band + 2),
            queues: Rect(x: 0, y: bandBottom, width: width, height: queueRows + 2),
            log: Rect(x: 0, y: queuesBottom, width: width, height: logBottom - queuesBottom + 1),
            status: hasStatus ? Rect(x: 0, y: height - 2, width: width, height: 1) : nil,
            keyBar: Rect(x: 0, y: height - 1, width: width, height: 1)
        )
    }

    /// Splits the left column's content rows (two separators already taken) about 40:30:30
    /// between inputs, outputs and clients, at least one row each.
    private static func leftStack(rows: Int) -> (inputs: Int, outputs: Int, clients: Int) {
        let inputs = max(1, min((rows * 2 + 4) / 5, rows - 2))
        let outputs = max(1, (rows - inputs) / 2)
        return (inputs, outputs, max(1, rows - inputs - outputs))
    }
}
