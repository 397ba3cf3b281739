import CTracerShim

/// The system calls the tracer decodes, and their numbers on this architecture.
enum TracedSyscall: String, CaseIterable, Sendable {
    // Readiness calls: each becomes one record.
    case select, pselect6, poll, ppoll, epoll_wait, epoll_pwait, epoll_pwait2
    // Readiness bookkeeping.
    case epoll_create, epoll_create1, epoll_ctl
    // Setup the --port rewrite and the listener need even when only readiness is traced.
    case bind, listen
    // Socket calls, for the log and the queues.
    case socket, accept, accept4, connect, recvfrom, recvmsg, read, sendto, sendmsg, write
    case shutdown, close, setsockopt, dup, dup2, dup3
    /// What a poll or epoll_wait interrupted by a stop resumes as.
    case restart_syscall

    var isReadiness: Bool {
        switch self {
        case .select, .pselect6, .poll, .ppoll, .epoll_wait, .epoll_pwait, .epoll_pwait2: return true
        default: return false
        }
    }

    /// Calls traced with `--events readiness`: the records, the interest lists, the port.
    var isNeededForReadiness: Bool {
        switch self {
        // close too: the kernel drops a closed fd from epoll sets, and the interest lists
        // must follow (one stop per connection, not per message).
        case .epoll_create, .epoll_create1, .epoll_ctl, .bind, .listen, .restart_syscall, .close: return true
        default: return isReadiness
        }
    }

    /// Number → call, for this architecture (calls it lacks are left out).
    static let byNumber: [Int: TracedSyscall] = {
        var table: [Int: TracedSyscall] = [:]
        for call in allCases {
            let number = call.rawValue.withCString { ts_syscall_number($0) }
            if number >= 0 { table[number] = call }
        }
        return table
    }()

    /// `byNumber` as an array indexed by number: looked up at every stop, where hashing the
    /// number cost more than the rest of the lookup.
    private static let table: [TracedSyscall?] = {
        var table = [TracedSyscall?](repeating: nil, count: (byNumber.keys.max() ?? 0) + 1)
        for (number, call) in byNumber { table[number] = call }
        return table
    }()

    /// The call with this number, if it is one the tracer decodes.
    static func numbered(_ number: UInt64) -> TracedSyscall? {
        number < UInt64(table.count) ? table[Int(number)] : nil
    }

    /// The calls a started program stops at. Read in the kernel (`KernelProbe` copies every
    /// other call `--events readiness` needs), none but a bind to rewrite.
    static func numbers(readinessOnly: Bool, readInKernel: Bool = false, rewritesBind: Bool = true) -> [Int] {
        byNumber.filter { number, call in
            if readInKernel { return call == .bind && rewritesBind }
            return !readinessOnly || call.isNeededForReadiness
        }.map(\.key).sorted()
    }
}
