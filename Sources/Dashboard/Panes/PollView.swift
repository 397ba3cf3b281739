import SelectCore

/// The poll backend's checklist: the pollfd array handed in (fd and `events`) and the
/// `revents` the kernel wrote back. Unlike select, the request survives the call; every
/// entry is still scanned each time. Ready entries are shown first when not all fit.
enum PollView {
    struct Entry {
        let fd: Int32
        let events: ReadyEvents
        let revents: ReadyEvents
        let isInternal: Bool
    }

    static func lines(_ record: StepRecord, _ context: RenderContext, width: Int, rows: Int) -> [[Span]] {
        guard rows > 0 else { return [] }
        var lines = [ResultPane.resultLine(record, context, width: width)]
        guard rows > 1 else { return lines }
        lines.append([Span("   fd  " + Format.pad(context.labels[.events], to: 12) + context.labels[.revents], .label)])
        let budget = rows - 2
        guard budget > 0 else { return lines }

        let all = entries(record)
        var chosen: [Int]
        if all.count <= budget {
            chosen = Array(all.indices)
        } else {
            let fit = budget - 1
            chosen = Array(all.indices.lazy.filter { !all[$0].revents.isEmpty }.prefix(fit))
            if chosen.count < fit {
                chosen += all.indices.lazy.filter { all[$0].revents.isEmpty }.prefix(fit - chosen.count)
                chosen.sort()
            }
        }
        for index in chosen {
            let entry = all[index]
            let role: Role = entry.isInternal ? .dim : .normal
            let fd = String(entry.fd)
            let revents = entry.revents.isEmpty ? "0" : entry.revents.text
            let reventsRole: Role = entry.revents.isEmpty || entry.isInternal ? .dim : entry.revents.role
            var line = [
                Span(String(repeating: " ", count: max(0, 5 - fd.count)) + fd + "  ", role),
                Span(Format.pad(entry.events.text, to: 12), role),
                Span(revents, reventsRole),
            ]
            if entry.isInternal { line.append(Span(String(repeating: " ", count: max(1, 12 - revents.count)) + context.labels[.internalFD], .dim)) }
            lines.append(line)
        }
        if chosen.count < all.count {
            lines.append([Span(context.ellipsis + " " + context.labels.more(all.count - chosen.count), .dim)])
        }
        return lines
    }

    /// The array in the order the backend builds it: inputs, then outputs not already
    /// there, then the program's own descriptors.
    static func entries(_ record: StepRecord) -> [Entry] {
        let limit = FDBitmap.limit(record.inputs, record.outputs, record.internalFDs)
        let input = FDBitmap(record.inputs, limit: limit), output = FDBitmap(record.outputs, limit: limit)
        let internalReady = FDBitmap(record.internalReady, limit: limit)
        let returned = record.returned(limit: limit)

        func entry(_ fd: Int32) -> Entry {
            var events: ReadyEvents = []
            if input[fd] { events.formUnion([.input, .priority]) }
            if output[fd] { events.insert(.output) }
            return Entry(fd: fd, events: events, revents: returned(fd), isInternal: false)
        }
        var out: [Entry] = []
        out.reserveCapacity(record.inputs.count + record.outputs.count + record.internalFDs.count)
        for fd in record.inputs { out.append(entry(fd)) }
        for fd in record.outputs where !input[fd] { out.append(entry(fd)) }
        for fd in record.internalFDs {
            out.append(Entry(fd: fd, events: .input, revents: internalReady[fd] ? .input : [], isInternal: true))
        }
        return out
    }
}
