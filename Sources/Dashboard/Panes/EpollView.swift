import SelectCore

/// The epoll backend's checklist: the interest list the kernel keeps between calls, and
/// the ready list `epoll_wait` returns — only the fds that are ready, however many are
/// watched.
enum EpollView {
    static func lines(_ record: StepRecord, _ context: RenderContext, width: Int, rows: Int) -> [[Span]] {
        let labels = context.labels
        let head = max(DisplayWidth.of(labels[.interest]), DisplayWidth.of(labels[.ready])) + 1
        let lists = Format.fdLists([record.inputs, record.outputs], room: width - head - 9, ellipsis: context.ellipsis)
        let interest: [Span] = [
            Span(Format.pad(labels[.interest], to: head), .label),
            Span("IN ", .dim), Span(lists[0]), Span("  OUT ", .dim), Span(lists[1]),
        ]
        let ready = [Span(Format.pad(labels[.ready], to: head), .label)] + readyList(record, context, room: width - head)
        return Array([ResultPane.resultLine(record, context, width: width), interest, ready].prefix(max(0, rows)))
    }

    /// `5:IN 6:IN|OUT`, as many as fit, then `+N more`.
    static func readyList(_ record: StepRecord, _ context: RenderContext, room: Int) -> [Span] {
        let limit = FDBitmap.limit(record.readable, record.writable, record.exceptional)
        let readable = FDBitmap(record.readable, limit: limit)
        let exceptional = FDBitmap(record.exceptional, limit: limit)
        let returned = record.returned(limit: limit)
        // The order epoll_wait would hand them back is the kernel's; readable first reads best.
        var order = record.readable
        order += record.exceptional.filter { !readable[$0] }
        order += record.writable.filter { !readable[$0] && !exceptional[$0] }
        guard !order.isEmpty else { return [Span("[]", .dim)] }

        var spans: [Span] = []
        var used = 0
        for (index, fd) in order.enumerated() {
            let flags = returned(fd)
            let text = (index > 0 ? " " : "") + "\(fd):\(flags.text)"
            let isLast = index == order.count - 1
            let tail = " " + context.ellipsis + " " + context.labels.more(order.count - index)
            if used + DisplayWidth.of(text) + (isLast ? 0 : DisplayWidth.of(tail)) > room {
                spans.append(Span(tail, .dim))
                break
            }
            spans.append(Span(text, flags.role))
            used += DisplayWidth.of(text)
        }
        return spans
    }
}
