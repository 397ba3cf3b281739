import SelectCore

/// The headless text log of a traced program: each readiness call with what came back, then
/// what the program did about it (in the seed's words), as the built-in server's log has it.
/// Lines start with `trace:` so they stand apart from the program's own output on the same
/// terminal.
public final class TracedTextLog {
    private let writer: QueuedLineWriter
    /// The last program each process exec'd, said only once that process makes a traced
    /// call: a launcher's helpers (pyenv's shim runs a dozen shells and readlinks before the
    /// interpreter) would otherwise bury the lines that matter.
    private var unsaidExec: [Int32: TracerNotice] = [:]

    public init(writer: QueuedLineWriter) {
        self.writer = writer
    }

    public func write(_ record: StepRecord) {
        if let pid = record.origin?.pid { sayExec(of: pid) }
        writer.appendLine("trace: " + Self.callLine(record))
        for event in record.events {
            writer.appendLine("trace: " + SeedLog.line(for: event))
        }
        writer.flush()
    }

    public func write(_ notice: TracerNotice) {
        if case .execed(let pid, _) = notice {
            unsaidExec[pid] = notice
            return
        }
        if case .held(let pid, _, _, _, _) = notice { sayExec(of: pid) }
        guard let line = Self.line(notice) else { return }
        writer.appendLine("trace: " + line)
        writer.flush()
    }

    private func sayExec(of pid: Int32) {
        guard let notice = unsaidExec.removeValue(forKey: pid), let line = Self.line(notice) else { return }
        writer.appendLine("trace: " + line)
    }

    static func callLine(_ record: StepRecord) -> String {
        let origin = record.origin
        var line = "\(origin?.call ?? record.backend.rawValue) #\(record.seq)"
        if let origin { line += " [tid \(origin.tid)]" }
        line += " inputs \(list(record.inputs)) outputs \(list(record.outputs))"
        if let timeout = record.timeout { line += " timeout \(timeout) s" }
        if let error = origin?.error {
            line += " -> \(error)"
        } else if record.isEmptyResult {
            line += " -> timeout"
        } else {
            line += " -> readable \(list(record.readable)) writable \(list(record.writable)) exceptional \(list(record.exceptional))"
        }
        line += " (\(TraceEncoder.decimal(record.blockedMilliseconds, places: 3)) ms)"
        if let damage = origin?.damage { line += " damaged: \(damage)" }
        return line
    }

    static func list(_ fds: [Int32]) -> String { "[" + fds.map(String.init).joined(separator: ", ") + "]" }

    public static func line(_ notice: TracerNotice) -> String? {
        switch notice {
        case .listening(let pid, let fd, let address):
            return "pid \(pid) listening on \(address.map { "\($0)" } ?? "?") (fd \(fd))"
        case .portRewritten(let pid, let fd, let requested, let port):
            return "pid \(pid) bind(fd \(fd)) to \(requested.map { "\($0)" } ?? "?") rewritten to port \(port)"
        case .started(let pid, let path):
            return "started pid \(pid): \(path)"
        case .attached(let pid, let threads):
            return "attached to pid \(pid) (\(threads) thread\(threads == 1 ? "" : "s"))"
        case .execed(let pid, let path):
            return "pid \(pid) now runs \(path)"
        case .listenerWithoutReuseAddress(let pid, let fd):
            return "pid \(pid) listens on fd \(fd) without SO_REUSEADDR: a restart within a minute of a close may fail with EADDRINUSE"
        case .damage(let pid, let text):
            return "pid \(pid): damaged call: \(text)"
        case .untraceable(let pid, let reason):
            return "pid \(pid): \(reason)"
        case .held(let pid, let tid, let call, _, _):
            return "pid \(pid) held at \(call) (tid \(tid))"
        case .callInFlight, .callReturned:
            return nil
        case .breakpointHit(let pid, _, let hit):
            return "pid \(pid) stopped at call #\(hit.seq): \(hit.breakpoint.rawValue)" + (hit.event.fd >= 0 ? " fd \(hit.event.fd)" : "")
        case .notListening(let pid, let seconds):
            let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            return "pid \(pid) has not called listen() in \(shown) s: nothing can connect to it yet (it keeps running, traced)"
        case .readingInKernel(let pid):
            return "pid \(pid): readiness calls read in the kernel (BPF): the program does not stop for them"
        case .readingAtStops(let reason):
            return "readiness calls read at ptrace stops (BPF unavailable: \(reason))"
        case .forkedAway(let pid, let child, let how):
            return "pid \(pid) \(how) but its child pid \(child) runs on (a daemon's fork): following pid \(child)"
        }
    }
}
