import SelectCore

/// How the program under test ended, or that it was still running when the grader stopped it.
public enum ProcessOutcome: Sendable, Equatable {
    case running
    case exited(status: Int32)
    case signalled(signal: Int32)
    /// It would not start at all (spawn failed).
    case notStarted(reason: String)

    public var isRunning: Bool { self == .running }

    public var summary: String {
        switch self {
        case .running: return "still running"
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal): return "killed by \(Signals.name(signal))"
        case .notStarted(let reason): return "did not start: \(reason)"
        }
    }
}

/// A limit the sandbox had to enforce on the program.
public enum LimitHit: String, Sendable, Codable, Equatable {
    case processes, memory, cpu
    case wallTime = "wall-time"

    public var description: String {
        switch self {
        case .processes: return "it tried to start more processes than allowed (a fork bomb?)"
        case .memory: return "it used more memory than allowed"
        case .cpu: return "it used more CPU time than allowed"
        case .wallTime: return "it ran past the time allowed"
        }
    }
}

/// One scripted client of a session: what it sent and what it got back.
public struct ClientLog: Sendable, Equatable {
    /// What the client was for: "echo", "multi-3", "closer", "probe", "flood", …
    public var role: String
    /// The client's own port: the server's accept event names it as the peer.
    public var localPort: Int
    /// Order of connection within the session (for matching accepts when peers are unknown).
    public var index: Int
    public var sent: [UInt8] = []
    public var received: [UInt8] = []
    /// Bytes the program was seen to have read (the kernel's receive queue on its side empty
    /// after they were sent): what a client of exercise 1, which gets nothing back, can know.
    public var readByProgram = 0
    /// Whether the server closed the connection (EOF or reset seen by the client).
    public var sawClose = false
    /// What went wrong on the client's side (connect refused, reset, deadline).
    public var problem: String?

    public init(role: String, localPort: Int, index: Int) {
        self.role = role
        self.localPort = localPort
        self.index = index
    }

    /// Got back exactly what it sent, in order.
    public var echoedExactly: Bool { !sent.isEmpty && received == sent }
}

/// Calls and CPU while every connection sat idle.
public struct IdleWindow: Sendable, Equatable {
    public var seconds: Double
    public var calls: Int
    public var cpuSeconds: Double
    /// Sequence numbers of the first and last calls made during the window.
    public var firstSeq: Int?
    public var lastSeq: Int?

    public init(seconds: Double, calls: Int, cpuSeconds: Double, firstSeq: Int? = nil, lastSeq: Int? = nil) {
        self.seconds = seconds
        self.calls = calls
        self.cpuSeconds = cpuSeconds
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
    }
}

/// Everything one run of the program left behind for the judges: its readiness calls, its
/// clients, how it ended. Judges are pure functions of this value.
public struct Observation: Sendable, Equatable {
    public var exercise: Exercise
    public var port: Int
    public var records: [StepRecord] = []
    /// "line 42: not JSON" when the trace was damaged.
    public var traceDamage: String?
    public var clients: [ClientLog] = []
    /// A client connected within the deadline.
    public var listened = false
    public var outcome: ProcessOutcome = .running
    public var limitHit: LimitHit?
    /// The last lines the program wrote to stderr (a traceback).
    public var stderrTail: [String] = []
    public var idle: IdleWindow?
    /// Resident memory of the program's processes: when first sampled, and the most seen.
    public var baselineMemory: Int = 0
    public var peakMemory: Int = 0
    /// slow-reader: whether the flooding client was held back (the program stopped taking
    /// its bytes) within the window; nil when there was no flood.
    public var floodHeldBack: Bool?
    public var notes: [String] = []

    public init(exercise: Exercise, port: Int) {
        self.exercise = exercise
        self.port = port
    }

    public func client(_ role: String) -> ClientLog? { clients.first { $0.role == role } }
    public func clients(withPrefix prefix: String) -> [ClientLog] { clients.filter { $0.role.hasPrefix(prefix) } }
}

