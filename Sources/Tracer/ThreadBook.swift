/// One traced thread: the call it is in, the call a stop interrupted, and what it did since
/// its last readiness call.
///
/// A class: the tracer updates it at every stop, and as a value each update copied it whole
/// (its records' arrays, its events, retained and released one by one) and every event
/// appended copied the events before it.
final class ThreadBook {
    let tid: Int32
    var pid: Int32
    /// Entered (seen at its seccomp or entry stop), not yet returned.
    var inFlight: PendingCall?
    /// A readiness call that returned -ERESTART*: the kernel will run it again (or make it
    /// EINTR) after a signal or a stop. Its entry time is kept so blocked time stays whole.
    var suspended: PendingCall?
    /// The thread's last readiness record, kept until its next readiness call begins: the
    /// socket calls it makes meanwhile are what it did about that call's result, and join
    /// it as its events (SPEC §4), as the built-in server's records have theirs.
    var unfinished: StepRecord?
    /// Socket events since this thread's last readiness call returned.
    var events: [ServerEvent] = []
    /// In a syscall whose exit stop was asked for (resume with PTRACE_SYSCALL).
    var awaitingExit = false
    /// Being detached: its next stop is its last.
    var detaching = false
    /// The tracer interrupted it (attach, pause): an epoll wait that this cut short must be
    /// restarted, not fail with EINTR in the program.
    var interruptedByTracer = false

    init(tid: Int32, pid: Int32) {
        self.tid = tid
        self.pid = pid
    }
}

import SelectCore

/// A call between its entry and its exit: what was read from the program at entry.
struct PendingCall {
    enum Entry {
        case none
        case select(nfds: Int, read: [Int32], write: [Int32], except: [Int32], addresses: (UInt64, UInt64, UInt64), timeout: Double?)
        case poll(fds: [(fd: Int32, events: Int16)], address: UInt64, timeout: Double?)
        case epollWait(epfd: Int32, address: UInt64, capacity: Int, timeout: Double?)
        case epollControl(epfd: Int32, op: Int32, fd: Int32, interest: ProcessBook.Interest?)
        case bind(fd: Int32, requested: PeerAddress?, rewrittenPort: Int?)
        case io(fd: Int32, buffer: UInt64, length: Int)
        case fd(Int32)
        case accept(fd: Int32, address: UInt64, lengthAddress: UInt64)
        case setsockopt(fd: Int32, level: Int32, name: Int32, value: UInt64, length: Int)
    }

    let call: TracedSyscall
    let args: [UInt64]
    var entryTime: Double
    var entry: Entry
    var damage: String?
}
