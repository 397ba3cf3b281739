import SelectCore

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
    /// it as its events (SPEC §4), as the built-in server's records have theirs. Once handed
    /// on, it stays, as the storage the thread's next record is filled into (`StepRecord.renew`).
    var record = StepRecord()
    /// `record` is one not handed on yet.
    var recordUnfinished = false
    /// Socket events since this thread's last readiness call returned.
    var events: [ServerEvent] = []
    /// In a syscall whose exit stop was asked for (resume with PTRACE_SYSCALL).
    var awaitingExit = false
    /// Being detached: its next stop is its last.
    var detaching = false
    /// The tracer interrupted it (attach, pause): an epoll wait that this cut short must be
    /// restarted, not fail with EINTR in the program.
    var interruptedByTracer = false
    /// What its readiness calls are read into, kept from one call to the next.
    var buffers = CallBuffers()

    init(tid: Int32, pid: Int32) {
        self.tid = tid
        self.pid = pid
    }
}

/// A thread's readiness calls, one after another, are read into the same buffers: emptied
/// and refilled in place, they cost no allocation once grown to the program's size (a traced
/// server makes thousands of calls a second, and each used to allocate a dozen arrays).
struct CallBuffers {
    /// The program's bytes as last read: select's sets and timeout, a pollfd array, epoll events.
    var bytes: [UInt8] = []
    /// The lists of the thread's previous call, given back once its record was made.
    var spareLists = EntryLists()

    /// Empty lists for a call being entered (the previous call's, their storage kept).
    mutating func takeLists() -> EntryLists {
        var lists = EntryLists()
        swap(&lists, &spareLists)
        lists.removeAll()
        return lists
    }
}

/// The descriptors a readiness call was given, as read at its entry.
struct EntryLists {
    /// select's three sets.
    var read: [Int32] = []
    var write: [Int32] = []
    var except: [Int32] = []
    /// poll's pollfd array: each fd with the events asked for.
    var polled: [(fd: Int32, events: Int16)] = []

    mutating func removeAll() {
        if !read.isEmpty { read.removeAll(keepingCapacity: true) }
        if !write.isEmpty { write.removeAll(keepingCapacity: true) }
        if !except.isEmpty { except.removeAll(keepingCapacity: true) }
        if !polled.isEmpty { polled.removeAll(keepingCapacity: true) }
    }
}

/// A call's six arguments as the kernel gave them: a fixed-size value (an array of them was
/// allocated at every stop).
struct SyscallArguments {
    private let values: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    init(_ values: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) { self.values = values }

    subscript(index: Int) -> UInt64 {
        precondition((0..<6).contains(index), "a system call has six arguments")
        return withUnsafeBytes(of: values) { $0.load(fromByteOffset: index * 8, as: UInt64.self) }
    }
}

/// A call between its entry and its exit: what was read from the program at entry.
struct PendingCall {
    enum Entry {
        case none
        /// The sets' fds are in `lists` (read, write, except).
        case select(nfds: Int, addresses: (UInt64, UInt64, UInt64), timeout: Double?)
        /// The pollfd entries are in `lists.polled`.
        case poll(address: UInt64, timeout: Double?)
        case epollWait(epfd: Int32, address: UInt64, capacity: Int, timeout: Double?)
        case epollControl(epfd: Int32, op: Int32, fd: Int32, interest: ProcessBook.Interest?)
        case bind(fd: Int32, requested: PeerAddress?, rewrittenPort: Int?)
        case io(fd: Int32, buffer: UInt64, length: Int)
        case fd(Int32)
        case accept(fd: Int32, address: UInt64, lengthAddress: UInt64)
        case setsockopt(fd: Int32, level: Int32, name: Int32, value: UInt64, length: Int)
    }

    let call: TracedSyscall
    let args: SyscallArguments
    var entryTime: Double
    var entry: Entry
    var damage: String?
    /// A readiness call's descriptors (empty for other calls).
    var lists = EntryLists()
}
