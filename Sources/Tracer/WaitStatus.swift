import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// A waitpid status, decoded (the W* macros are not importable).
struct WaitStatus {
    let raw: Int32

    var exited: Bool { raw & 0x7f == 0 }
    var exitCode: Int32 { (raw >> 8) & 0xff }
    var signaled: Bool { raw & 0x7f != 0 && raw & 0x7f != 0x7f }
    var termSignal: Int32 { raw & 0x7f }
    var stopped: Bool { raw & 0xff == 0x7f }
    var stopSignal: Int32 { (raw >> 8) & 0xff }
    /// PTRACE_EVENT_* in the high bits of a ptrace stop.
    var event: Int32 { (raw >> 16) & 0xff }
}

/// How a traced program ended.
public enum ProgramEnd: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case killed(signal: Int32)

    /// The code a shell would report: the exit status, or 128 + signal.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .killed(let signal): return 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .killed(let signal): return "killed by \(Signals.name(signal)) (\(String(cString: strsignal(signal))))"
        }
    }
}
