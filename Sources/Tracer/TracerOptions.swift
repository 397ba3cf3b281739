/// What to trace and how.
public struct TracerOptions: Sendable {
    public enum Events: String, Sendable, CaseIterable {
        /// Only the readiness calls (and the few calls their records need): fastest.
        case readiness
        /// Also the socket calls, for the log's events.
        case sockets
    }

    /// How the readiness calls of `--events readiness` are read.
    public enum Reader: String, Sendable, CaseIterable {
        /// In the kernel where it lets us (root), else at ptrace stops.
        case auto
        /// A stop at each call's entry and exit: the program waits for the tracer twice a call.
        case ptrace
        /// A BPF program on the syscall tracepoints copies each call: the program never
        /// stops for it. The tracer then cannot hold it, so this is for headless tracing.
        case bpf
    }

    public var events: Events = .sockets
    /// Only with `events == .readiness`; the socket calls are always read at ptrace stops.
    public var reader: Reader = .ptrace
    /// Rewrite every AF_INET/AF_INET6 bind() to this port (0: the kernel picks one).
    public var port: Int?
    /// Bytes of each received or sent payload kept for the log.
    public var payloadPreview = 64
    /// Where a launched program's stdout and stderr go (nil: this process's own).
    public var outputFD: Int32?
    /// Where its stderr goes (nil: with its stdout).
    public var errorFD: Int32?
    /// Say when each readiness call starts blocking and when it returns (`callInFlight`,
    /// `callReturned`), for a screen that shows the call in flight; off headless, where
    /// nobody looks at it and each would cost a notice per call.
    public var reportsCallsInFlight = false
    /// After this many seconds without a listen() the program is said never to listen
    /// (`notListening`); nil never says so.
    public var listenWarningAfter: Double? = 10

    public init(events: Events = .sockets, port: Int? = nil) {
        self.events = events
        self.port = port
    }
}

/// The program to trace: started by the tracer, or already running.
public enum TraceTarget: Sendable, Equatable {
    case launch(command: String, arguments: [String])
    case attach(pid: Int32)
}

/// Things worth a line besides the records.
public enum TracerNotice: Sendable {
    /// listen() succeeded: the program's listening address (after any --port rewrite).
    case listening(pid: Int32, fd: Int32, address: PeerAddress?)
    /// The bind() the program asked for was changed.
    case portRewritten(pid: Int32, fd: Int32, requested: PeerAddress?, port: Int)
    case started(pid: Int32, path: String)
    case attached(pid: Int32, threads: Int)
    case execed(pid: Int32, path: String)
    /// A listener bound without SO_REUSEADDR: a restart within TIME_WAIT will fail to bind.
    case listenerWithoutReuseAddress(pid: Int32, fd: Int32)
    case damage(pid: Int32, String)
    /// The program cannot be traced as asked (a 32-bit program's calls pass untraced).
    case untraceable(pid: Int32, reason: String)
    /// Paused: a thread is held at the entry of a readiness call with these lists.
    case held(pid: Int32, tid: Int32, call: String, inputs: [Int32], outputs: [Int32])
    /// A readiness call began blocking (with `reportsCallsInFlight`): `startedAt` is on
    /// `Posix.monotonicSeconds()`'s clock, `seq` the number its record will most likely get.
    case callInFlight(pid: Int32, tid: Int32, call: InFlightCall, inputs: [Int32], outputs: [Int32])
    /// That call returned (its record follows when the thread makes its next readiness call).
    case callReturned(pid: Int32, tid: Int32)
    /// A call's record hit a chosen breakpoint: the thread is held at its next readiness call.
    case breakpointHit(pid: Int32, tid: Int32, BreakpointHit)
    /// Readiness calls are read in the kernel (`TracerOptions.Reader.bpf`): the program does
    /// not stop for them.
    case readingInKernel(pid: Int32)
    /// `TracerOptions.Reader.auto` found the kernel unwilling: calls are read at ptrace stops.
    case readingAtStops(reason: String)
    /// No listen() seen this many seconds after the start: the program is left running.
    case notListening(pid: Int32, seconds: Double)
    /// The started process exited while a child it forked runs on (a daemon's fork): the
    /// tracing follows the child.
    case forkedAway(pid: Int32, child: Int32, how: ProgramEnd)
}

import SelectCore

/// How tracing ended.
public enum TraceEnd: Sendable, Equatable {
    /// The launched program ended by itself.
    case programEnded(ProgramEnd)
    /// Stopped on request: the launched program and its descendants were killed.
    case killed
    /// Stopped on request: the attached process was left running.
    case detached
    /// The attached process ended while being traced.
    case attachedEnded(ProgramEnd)
}
