import SelectCore
import Teaching

/// `explain`: the last call in sentences. First the loop's bugs the calls have shown so far
/// (diagnoses: a spin, a lost rest, a read after the end of stream, no SO_REUSEADDR); then
/// what the call recorded — why each fd came back ready, what would misbehave (warnings),
/// where the seed's own code would have failed (errors) — and apart from it, under its own
/// heading, what the kernel holds now (sampled live, so it changes while the screen is
/// paused). Long sentences wrap with a hanging indent.
///
/// ```
/// ┌ explain #17 ───────────────────────────────┐
/// │fd 6: 12 bytes were waiting in the kernel   │
/// │fd 5: room in the send buffer; sent 12 bytes│
/// │warning: fd 5: writable with nothing queued;│
/// │  taken out of outputs, or every call would │
/// ```
enum ExplainPane {
    /// One sentence and how it is drawn: its prefix ("warning:") and the sentence's role.
    struct Item: Equatable {
        var prefix: String
        var prefixRole: Role
        var text: String
        var role: Role
        /// What survives a short pane: lower first.
        var rank: Int
        /// From the recorded call, or sampled from the kernel now.
        var block: Block = .recorded
    }

    /// Where a sentence's facts come from.
    enum Block: Hashable {
        /// The call's record: the same in a replay, and while paused.
        case recorded
        /// The kernel's queues sampled at frame time: they change while the screen is paused.
        case kernelNow
    }

    static func draw(_ context: RenderContext, box: Rect, on grid: inout TextGrid) {
        let record = context.server.lastRecord
        var title = [Span(context.labels[.explain], .title)]
        if let record { title.append(Span(" #\(record.seq)" + context.glyphs.separator + context.labels[.asRecorded], .dim)) }
        grid.drawTitle(title, on: box)

        let area = box.inner
        guard area.height > 0, area.width > 0 else { return }
        guard let record else {
            var pen = Pen(row: 0, in: area)
            pen.write(context.labels[.noCallYet], .dim, into: &grid)
            return
        }
        // A call with thousands of ready fds has thousands of sentences; a pane shows at most
        // one a row, so only that many of each kind are worded and wrapped.
        let (items, unsaid) = items(record, context, limit: area.height)
        if items.isEmpty {
            var pen = Pen(row: 0, in: area)
            pen.write(context.labels[.nothingToExplain], .dim, into: &grid)
            return
        }
        let wrapped = items.map { wrap($0, width: area.width, labels: context.labels) }
        // What the call recorded (the title says so) and what the kernel holds now are kept
        // apart: the kernel's sentences come last under a heading of their own, since its
        // figures change while the screen is paused.
        func fits(_ indices: Set<Int>) -> Int { indices.reduce(0) { $0 + wrapped[$1].count } + (indices.contains { items[$0].block == .kernelNow } ? 1 : 0) }
        var kept = Set(items.indices)
        var cut = unsaid > 0
        if fits(kept) > area.height || unsaid > 0 {
            // Not all fit: keep what matters most — where the seed would fail, then the
            // warnings, then why each fd was ready, then the kernel's queues — shown in
            // reading order, and count the rest on the last row.
            let room = area.height - 1
            kept = []
            for index in items.indices.sorted(by: { (items[$0].rank, $0) < (items[$1].rank, $1) })
            where fits(kept.union([index])) <= room {
                kept.insert(index)
            }
            cut = true
        }
        var shown: [[Span]] = []
        if kept.isEmpty {
            // Not even one sentence fits whole: what fits of the most important one.
            let first = items.indices.min { (items[$0].rank, $0) < (items[$1].rank, $1) }!
            shown = Array(wrapped[first].prefix(items.count == 1 ? area.height : area.height - 1))
            kept.insert(first)
        } else {
            var headed = false
            for index in items.indices where kept.contains(index) {
                if items[index].block == .kernelNow, !headed {
                    headed = true
                    shown.append([Span(context.labels[.kernelNow], .label)])
                }
                shown += wrapped[index]
            }
        }
        if cut && (kept.count < items.count || unsaid > 0) {
            shown = Array(shown.prefix(area.height - 1))
            shown.append([Span(context.ellipsis + " " + context.labels.more(items.count - kept.count + unsaid), .dim)])
        }
        for (row, line) in shown.prefix(area.height).enumerated() {
            var pen = Pen(row: row, in: area)
            pen.write(line, into: &grid)
        }
    }

    /// The sentences for a call, in the order they are read: why ready, warnings, where the
    /// seed would fail; then the kernel's queues now.
    /// The sentences for a call, at most `limit` of each kind, and how many more there were.
    static func items(_ record: StepRecord, _ context: RenderContext, limit: Int = .max) -> (items: [Item], unsaid: Int) {
        let server = context.server
        let labels = context.labels
        let language = context.language
        let explanations = Explainer.explain(record, lastAcceptedBefore: server.lastAcceptedBeforeCall,
                                             queueCap: server.queueCap, fdSetSize: server.fdSetSize)
        var reasons: [Item] = []
        var warnings: [Item] = []
        var failures: [Item] = []
        var unsaid = 0
        func add(_ explanation: Explanation, to list: inout [Item], _ make: (String) -> Item) {
            guard list.count < limit else { unsaid += 1; return }
            list.append(make(Sentences.sentence(explanation, in: record)(language)))
        }
        for explanation in explanations {
            switch explanation.severity {
            case .reason:
                add(explanation, to: &reasons) { Item(prefix: "", prefixRole: .normal, text: $0, role: .normal, rank: 2) }
            case .warning:
                add(explanation, to: &warnings) { Item(prefix: labels[.warningPrefix], prefixRole: .warning, text: $0, role: .warning, rank: 1) }
            case .seedFailure:
                add(explanation, to: &failures) { Item(prefix: labels[.seedWouldFail], prefixRole: .error, text: $0, role: .error, rank: 0) }
            }
        }
        let kernel = kernelItems(record, context, limit: limit)
        let diagnoses = diagnosisItems(context, limit: limit)
        return (diagnoses.items + reasons + warnings + failures + kernel.items, diagnoses.unsaid + unsaid + kernel.unsaid)
    }

    /// The loop's bugs found so far from the calls (`LoopDiagnostics`), first: they are what a
    /// student debugging their own server came for. Going on now first (the selected
    /// connection's before others), then those over, the latest first.
    static func diagnosisItems(_ context: RenderContext, limit: Int) -> (items: [Item], unsaid: Int) {
        let found = context.server.diagnoses
        guard !found.isEmpty else { return ([], 0) }
        let selection = context.model.selection
        let ordered = found.indices.sorted { a, b in
            let x = found[a], y = found[b]
            if x.ongoing != y.ongoing { return x.ongoing }
            if (x.fd == selection) != (y.fd == selection) { return x.fd == selection }
            return a > b
        }
        let labels = context.labels
        let items = ordered.prefix(limit).map { index in
            let diagnosis = found[index]
            let role: Role = diagnosis.ongoing ? .error : .warning
            return Item(prefix: labels[.diagnosisPrefix], prefixRole: role,
                        text: DiagnosisSentences.sentence(diagnosis)(context.language), role: role, rank: 0)
        }
        return (items, max(0, found.count - limit))
    }

    /// The sentences of a call, all of them (tests).
    static func items(_ record: StepRecord, _ context: RenderContext) -> [Item] {
        items(record, context, limit: .max).items
    }

    /// What the kernel still holds after the call, where it changes what happens next: more
    /// connections to accept, bytes recv has not taken, bytes the peer has not acknowledged.
    static func kernelItems(_ record: StepRecord, _ context: RenderContext, limit: Int) -> (items: [Item], unsaid: Int) {
        let server = context.server
        let language = context.language
        var facts: [Localized] = []
        if let pending = server.listenerPending, pending > 0 {
            facts.append(Sentences.listenerPending(record.listener, pending))
        }
        // One pass over the connections, whatever their number, for the fds this call touched.
        let readable = Set(record.readable)
        var ready = readable
        ready.formUnion(record.writable)
        ready.remove(record.listener)
        var unsaid = 0
        if !ready.isEmpty {
            for row in server.connections where ready.contains(row.fd) {
                var said: [Localized] = []
                if let unread = row.kernelUnread, unread > 0, readable.contains(row.fd) {
                    said.append(Sentences.kernelUnread(row.fd, unread))
                }
                if let unsent = row.kernelUnsent, unsent > 0 { said.append(Sentences.kernelUnsent(row.fd, unsent)) }
                for fact in said {
                    if facts.count < limit { facts.append(fact) } else { unsaid += 1 }
                }
            }
        }
        let items = facts.map { Item(prefix: "", prefixRole: .label, text: $0(language), role: .normal, rank: 3, block: .kernelNow) }
        return (items, unsaid)
    }

    /// An item as screen lines: the prefix on the first, later lines indented two columns.
    static func wrap(_ item: Item, width: Int, labels: Labels) -> [[Span]] {
        let whole = item.prefix.isEmpty ? item.text : labels.prefixed(item.prefix, item.text)
        let indent = width > 12 ? 2 : 0
        let lines = Format.wrap(whole, width: width, hanging: indent)
        return lines.enumerated().map { index, line in
            if index > 0 { return [Span(String(repeating: " ", count: indent)), Span(line, item.role)] }
            if !item.prefix.isEmpty, line.hasPrefix(item.prefix) {
                return [Span(item.prefix, item.prefixRole), Span(String(line.dropFirst(item.prefix.count)), item.role)]
            }
            return [Span(line, item.role)]
        }
    }
}
