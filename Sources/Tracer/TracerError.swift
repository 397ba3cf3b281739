#if canImport(Glibc)
import Glibc
#endif

/// Why tracing could not start or go on, worded for the person at the terminal: one line,
/// what happened and what to do.
public enum TracerError: Error, CustomStringConvertible, Sendable, Equatable {
    case commandNotFound(String)
    case notExecutable(String)
    case noSuchProcess(Int32)
    case notPermitted(pid: Int32, reason: String)
    case alreadyTraced(pid: Int32, by: Int32, name: String)
    case system(call: String, errno: Int32)
    /// `--reader bpf` where the kernel will not run the program (or for what it cannot read).
    case kernelReaderRefused(String)

    public var description: String {
        switch self {
        case .commandNotFound(let command):
            return "\(command): command not found (not a file, and not in any PATH folder)"
        case .notExecutable(let path):
            return "\(path): not executable (check its permissions: chmod +x)"
        case .noSuchProcess(let pid):
            return "no process with pid \(pid)"
        case .notPermitted(let pid, let reason):
            return "not allowed to trace pid \(pid): \(reason)"
        case .alreadyTraced(let pid, let by, let name):
            return "pid \(pid) is already traced by pid \(by) (\(name)); a process has one tracer: detach it first"
        case .system(let call, let code):
            return "\(call): \(String(cString: strerror(code))) (\(ErrnoName.of(code)))"
        case .kernelReaderRefused(let reason):
            return "cannot read the calls in the kernel (--reader bpf): \(reason); --reader ptrace reads them at stops"
        }
    }
}
