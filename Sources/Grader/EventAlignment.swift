import SelectCore

/// Records whose events come one call late are moved back into line. SPEC §4 puts in each
/// record what the program did about that call's results (the built-in server writes it so);
/// a tracer that writes a record when the call returns can only attach the socket calls made
/// since the previous one, i.e. the previous call's handling. Which layout a trace has is
/// read off the trace itself: a recv or accept belongs to a call that returned its fd
/// readable.
public enum EventAlignment {
    public static func aligned(_ records: [StepRecord]) -> [StepRecord] {
        guard isLate(records) else { return records }
        var out = records
        for index in out.indices {
            out[index].events = index + 1 < records.count ? records[index + 1].events : []
        }
        return out
    }

    /// Whether the events fit the previous call's results better than their own call's.
    public static func isLate(_ records: [StepRecord]) -> Bool {
        var sameCall = 0
        var previousCall = 0
        for (index, record) in records.enumerated() {
            for event in record.events {
                let fd: Int32
                switch event.kind {
                case .accept: fd = record.listener
                case .recv: fd = event.fd
                default: continue
                }
                if record.readable.contains(fd) { sameCall += 1 }
                if index > 0 && records[index - 1].readable.contains(event.kind == .accept ? records[index - 1].listener : fd) {
                    previousCall += 1
                }
            }
        }
        return previousCall > sameCall
    }
}
