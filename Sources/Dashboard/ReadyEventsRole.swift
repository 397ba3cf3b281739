import SelectCore

extension ReadyEvents {
    /// The role of a ready fd: an error or hangup first, then exceptional, readable, writable.
    var role: Role {
        if !isDisjoint(with: [.error, .hangup, .invalid]) { return .error }
        return contains(.priority) ? .exceptional : !isDisjoint(with: [.input, .readHangup]) ? .readable : .writable
    }
}

extension StepRecord {
    /// What came back for each fd: the revents or event masks the kernel returned, where the
    /// record has them (poll and epoll calls, traced or our own); otherwise, for a select
    /// call or an older trace, rebuilt from the three result lists.
    func returned(limit: Int) -> (Int32) -> ReadyEvents {
        if !returnedEvents.isEmpty {
            var byFD: [Int32: ReadyEvents] = [:]
            for entry in returnedEvents { byFD[entry.fd, default: []].formUnion(entry.events) }
            return { byFD[$0] ?? [] }
        }
        let readable = FDBitmap(self.readable, limit: limit), writable = FDBitmap(self.writable, limit: limit)
        let exceptional = FDBitmap(self.exceptional, limit: limit)
        return { fd in
            var events: ReadyEvents = []
            if readable[fd] { events.insert(.input) }
            if exceptional[fd] { events.insert(.priority) }
            if writable[fd] { events.insert(.output) }
            return events
        }
    }
}
