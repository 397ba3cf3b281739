/// Where each pane goes for a terminal size. Boxes that touch share a border, so the
/// rectangles overlap by one row or column.
///
/// ```
/// header (2 lines, 3 with a replay damage note)
/// ┌ inputs ──┬ last call ──────┐
/// ├ outputs ─┤  (or source,    │
/// ├ clients ─┤   or explain: v)│
/// ├ queues ──┴─────────────────┤
/// ├ log ───────────────────────┤
/// └────────────────────────────┘
/// status (when set)
/// key bar
/// ```
///
/// Room to spare shows more at once. From 120 columns the log shares its row with an
/// `explain` pane; below that, from 40 rows, `explain` gets a full-width band between the
/// queues and the log. From 160 columns the seed's source is a column of its own on the
/// right, from the top of the panes to the bottom (for a traced program: what it printed).
/// A traced program's output otherwise gets the right part of the queues row, from 100
/// columns:
///
/// ```
/// ┌ inputs ┬ last call ────┬ source ─┐
/// ├ ...    ┤               │         │
/// ├ queues ┴───────────────┤         │
/// ├ log ─────┬ explain ────┤         │
/// └──────────┴─────────────┴─────────┘
/// ```
public struct Layout: Sendable, Equatable {
    /// Below this the frame is one line saying so: the last-call pane needs its rows and
    /// the inputs pane an address.
    public static let minimumWidth = 60
    public static let minimumHeight = 16
    /// From this width the log shares its row with an explain pane.
    public static let explainBesideLogWidth = 120
    /// From this height (when too narrow for the above) explain gets a band of its own.
    public static let explainBandHeight = 40
    /// From this width the seed's source gets a column of its own.
    public static let sourceColumnWidth = 160
    /// From this width (below the above) a traced program's output shares the queues' row.
    public static let outputBesideQueuesWidth = 100

    public var header: Rect
    public var inputs: Rect
    public var outputs: Rect
    public var clients: Rect
    /// The right-hand pane beside the lists: the view `v` chooses (the last call by default).
    public var lastCall: Rect
    public var queues: Rect
    public var log: Rect
    /// A second view pane, for `explain`: beside the log or in a band above it.
    public var dock: Rect?
    /// A third view pane, for the source: a column on the right.
    public var sourceColumn: Rect?
    /// A traced program's output beside the queues, when there is no source column.
    public var besideQueues: Rect?
    public var status: Rect?
    public var keyBar: Rect

    /// Every pane box, for drawing the borders in one pass.
    public var boxes: [Rect] {
        [inputs, outputs, clients, lastCall, queues, log] + [dock, sourceColumn, besideQueues].compactMap { $0 }
    }

    /// Connection rows the queues pane shows at once (below its column header): one page.
    public var queuePageRows: Int { max(0, queues.height - 3) }

    /// One pane that shows a view, and the view it shows.
    public struct ViewSlot: Sendable, Equatable {
        public var rect: Rect
        public var view: DashboardView

        public init(rect: Rect, view: DashboardView) {
            self.rect = rect
            self.view = view
        }
    }

    /// The view panes and what each shows. The right-hand pane shows the chosen view; the
    /// source column always shows the source (it is the better place for the code, so
    /// choosing `source` there leaves the last call on the right); the dock shows `explain`,
    /// and when `explain` is chosen trades places with the right-hand pane if it has rows
    /// enough for the checklist. No view is ever shown twice. For a traced program the
    /// program's output stands where the source would (`DashboardView.code`).
    public func slots(showing chosen: DashboardView, traced: Bool = false) -> [ViewSlot] {
        let code = DashboardView.code(traced: traced)
        var right = chosen
        var docked: DashboardView = .explain
        if chosen == code && (sourceColumn != nil || besideQueues != nil) { right = .lastCall }
        if chosen == .explain, let dock {
            if dock.height - 2 >= Self.lastCallRows { docked = .lastCall } else { right = .lastCall }
        }
        var slots = [ViewSlot(rect: lastCall, view: right)]
        if let sourceColumn { slots.append(ViewSlot(rect: sourceColumn, view: code)) }
        if let besideQueues { slots.append(ViewSlot(rect: besideQueues, view: .output)) }
        if let dock { slots.append(ViewSlot(rect: dock, view: docked)) }
        return slots
    }

    /// Rows the last call needs for its timing and the six fd_set rows under their ruler.
    static let lastCallRows = 8
    /// The band beside the lists stops growing here: the call in flight, the checklist, the
    /// backend's note and a few rows of lists.
    static let tallestBand = 15

    /// The layout for a terminal of this size, or nil when it is too small.
    /// `traced`: a traced program's, whose output wants a pane.
    public static func compute(width: Int, height: Int, headerLines: Int = 2, hasStatus: Bool = false, traced: Bool = false) -> Layout? {
        guard width >= minimumWidth, height >= minimumHeight else { return nil }
        let statusRows = hasStatus ? 1 : 0
        let top = headerLines
        let bottom = height - 1 - statusRows  // exclusive: the key bar (and status) below

        // The source column takes what the longest seed line needs and leaves the rest
        // at least 90 columns; the panes to its left lay out as on a narrower terminal.
        let sourceWidth = width >= sourceColumnWidth ? min(76, width - 90) : 0
        let main = sourceWidth > 0 ? width - sourceWidth + 1 : width
        let explainBeside = main >= explainBesideLogWidth
        let explainBand = !explainBeside && height >= explainBandHeight

        // Border rows: the top, under the first band, under the queues, (under the explain
        // band,) the bottom.
        let content = bottom - top - (explainBand ? 5 : 4)
        guard content >= 7 else { return nil }

        // A tall terminal gives the band what the checklist needs and the rest to the queues
        // and the log, which have rows to fill; the checklist would leave them empty.
        let band = content >= 9 ? min(max(9, content * 2 / 5), content - 4, Self.tallestBand) : content - 2
        let rest = content - band
        let explainRows = explainBand ? max(3, rest * 3 / 10) : 0
        // Beside an explain pane the log is worth as much as the queues.
        let queueRows = max(1, (rest - explainRows) * (explainBeside ? 50 : 55) / 100)
        let logRows = rest - explainRows - queueRows

        let bandTop = top
        let bandBottom = bandTop + band + 1  // the shared border row under the band
        let queuesBottom = bandBottom + queueRows + 1
        let explainBottom = queuesBottom + (explainBand ? explainRows + 1 : 0)
        let logBottom = explainBottom + logRows + 1

        let leftWidth = min(max(main * 2 / 5, 24), 46)
        let stack = leftStack(rows: band - 2)
        let inputs = Rect(x: 0, y: bandTop, width: leftWidth, height: stack.inputs + 2)
        let outputs = Rect(x: 0, y: inputs.maxY - 1, width: leftWidth, height: stack.outputs + 2)
        let clients = Rect(x: 0, y: outputs.maxY - 1, width: leftWidth, height: bandBottom - outputs.maxY + 2)

        let explainWidth = explainBeside ? min(72, main / 2) : 0
        let log = Rect(x: 0, y: explainBottom, width: main - (explainBeside ? explainWidth - 1 : 0), height: logBottom - explainBottom + 1)
        var dock: Rect?
        if explainBeside {
            dock = Rect(x: log.maxX - 1, y: log.y, width: explainWidth, height: log.height)
        } else if explainBand {
            dock = Rect(x: 0, y: queuesBottom, width: main, height: explainRows + 2)
        }

        var queues = Rect(x: 0, y: bandBottom, width: main, height: queueRows + 2)
        var besideQueues: Rect?
        if traced && sourceWidth == 0 && main >= outputBesideQueuesWidth {
            // The program's own queues are unknown: its rows need fewer columns.
            let outputWidth = min(64, main * 2 / 5)
            queues.width = main - outputWidth + 1
            besideQueues = Rect(x: queues.maxX - 1, y: queues.y, width: outputWidth, height: queues.height)
        }

        return Layout(
            header: Rect(x: 0, y: 0, width: width, height: headerLines),
            inputs: inputs,
            outputs: outputs,
            clients: clients,
            lastCall: Rect(x: leftWidth - 1, y: bandTop, width: main - leftWidth + 1, height: band + 2),
            queues: queues,
            log: log,
            dock: dock,
            sourceColumn: sourceWidth > 0 ? Rect(x: main - 1, y: bandTop, width: sourceWidth, height: logBottom - bandTop + 1) : nil,
            besideQueues: besideQueues,
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
