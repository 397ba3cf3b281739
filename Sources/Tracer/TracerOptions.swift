/// What to trace and how.
public struct TracerOptions: Sendable {
    public enum Events: String, Sendable, CaseIterable {
        /// Only the readiness calls (and the few calls their records need): fastest.
        case readiness
        /// Also the socket calls, for the log's events.
        case sockets
    }

    public var events: Events = .sockets
    /// Rewrite every AF_INET/AF_INET6 bind() to this port (0: the kernel picks one).
    public var port: Int?
    /// Bytes of each received or sent payload kept for the log.
    public var payloadPreview = 64
    /// Where a launched program's stdout and stderr go (nil: this process's own).
    public var outputFD: Int32?

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
    /// Paused: a thread is held at the entry of a readiness call with these lists.
    case held(pid: Int32, tid: Int32, call: String, inputs: [Int32], outputs: [Int32])
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
