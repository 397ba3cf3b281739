import SelectCore
#if canImport(Glibc)
import Glibc
#endif

/// The client processes a dashboard spawned: each is `selectscope client …` as a child
/// process (never a thread), its stdout and stderr going into a pipe that only the
/// supervisor reads, so nothing a client prints reaches the screen.
///
/// Use it from one thread (the screen's).
public final class ClientSupervisor {
    private final class Child {
        var row: ClientRow
        var outputFD: Int32
        var partialLine: [UInt8] = []
        init(row: ClientRow, outputFD: Int32) {
            self.row = row
            self.outputFD = outputFD
        }
    }

    private let executable: String
    private let host: String
    private let port: Int
    private var children: [Child] = []
    private var nextID = 1
    /// Reused for every read of the clients' output (the screen polls on each wake-up).
    private var readBuffer = [UInt8](repeating: 0, count: 4096)
    /// Reaped clients stay listed (with how they ended) up to this many.
    private let keepExited = 8

    /// `executable` is the selectscope binary (normally /proc/self/exe).
    public init(executable: String, host: String, port: Int) {
        self.executable = executable
        self.host = host
        self.port = port
    }

    /// The running binary's own path, for spawning itself as a client.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var rows: [ClientRow] { children.map(\.row) }
    public var runningPIDs: [Int32] { children.filter { $0.row.state != .exited }.map(\.row.pid) }
    /// A client has stopped or closed its output but is not reaped yet: poll again soon.
    public var hasUnreaped: Bool {
        children.contains { $0.row.state != .exited && ($0.row.state == .stopping || $0.outputFD < 0) }
    }

    /// Pipes to watch for client output.
    public var outputFDs: [Int32] { children.compactMap { $0.outputFD >= 0 ? $0.outputFD : nil } }

    /// Starts a client; returns its row. Throws the spawn error.
    @discardableResult
    public func spawn(kind: ClientKind, interval: Double, message: String? = nil) throws -> ClientRow {
        let pipe = try Posix.makePipe()
        var arguments = [
            executable, "client", "--kind", kind.rawValue, "--host", host, "--port", String(port),
            "--interval", String(interval), "--parent-pid", String(getpid()),
        ]
        if let message { arguments += ["--message", message] }

        defer { Posix.close(pipe.write) }
        let pid: pid_t
        do {
            pid = try Posix.spawn(executable, arguments: arguments, stdout: .descriptor(pipe.write), stderr: .descriptor(pipe.write))
        } catch {
            Posix.close(pipe.read)
            throw error
        }
        let row = ClientRow(id: nextID, pid: pid, kind: kind, state: .running, interval: interval)
        nextID += 1
        children.append(Child(row: row, outputFD: pipe.read))
        return row
    }

    /// `x`: end the newest client (SIGTERM: the kernel closes its socket).
    @discardableResult
    public func closeNewest() -> ClientRow? {
        signalNewest(SIGTERM)
    }

    /// `r`: the newest client closes its socket with an RST (it handles SIGUSR1).
    @discardableResult
    public func resetNewest() -> ClientRow? {
        signalNewest(SIGUSR1)
    }

    /// `x` on a selected connection: end that client (nil: the newest).
    @discardableResult
    public func close(pid: Int32?) -> ClientRow? {
        signal(SIGTERM, pid: pid)
    }

    /// `r` on a selected connection: reset that client (nil: the newest).
    @discardableResult
    public func reset(pid: Int32?) -> ClientRow? {
        signal(SIGUSR1, pid: pid)
    }

    private func signalNewest(_ signal: Int32) -> ClientRow? {
        self.signal(signal, pid: nil)
    }

    private func signal(_ signal: Int32, pid: Int32?) -> ClientRow? {
        guard let child = children.last(where: { $0.row.state == .running && (pid == nil || $0.row.pid == pid) }) else { return nil }
        kill(child.row.pid, signal)
        child.row.state = .stopping
        return child.row
    }

    /// Reads whatever the clients printed and reaps the ones that ended. Returns whether
    /// anything changed. Never blocks.
    @discardableResult
    public func poll() -> Bool {
        var changed = false
        for child in children where child.outputFD >= 0 {
            while true {
                let count = Glibc.read(child.outputFD, &readBuffer, readBuffer.count)
                if count > 0 {
                    child.partialLine.append(contentsOf: readBuffer[0..<count])
                    changed = takeLines(child) || changed
                    continue
                }
                if count == 0 {
                    Posix.close(child.outputFD)
                    child.outputFD = -1
                    changed = true
                }
                break
            }
        }
        for child in children where child.row.state != .exited {
            var status: Int32 = 0
            if waitpid(child.row.pid, &status, WNOHANG) == child.row.pid {
                child.row.state = .exited
                child.row.exitDescription = Self.describe(status: status)
                changed = true
            }
        }
        trimExited()
        return changed
    }

    private func takeLines(_ child: Child) -> Bool {
        var changed = false
        while let newline = child.partialLine.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: child.partialLine[..<newline], as: UTF8.self)
            child.partialLine.removeSubrange(...newline)
            if !line.isEmpty {
                child.row.lastLine = line
                changed = true
            }
        }
        if child.partialLine.count > 4096 { child.partialLine.removeAll() }
        return changed
    }

    private func trimExited() {
        let exited = children.filter { $0.row.state == .exited && $0.outputFD < 0 }
        if exited.count > keepExited {
            let drop = Set(exited.prefix(exited.count - keepExited).map(\.row.id))
            children.removeAll { drop.contains($0.row.id) }
        }
    }

    /// Ends every client: SIGTERM, up to `grace` seconds to exit, then SIGKILL; all reaped.
    public func stopAll(grace: Double = 1.0) {
        let running = children.filter { $0.row.state != .exited }
        for child in running { kill(child.row.pid, SIGTERM) }
        let deadline = Posix.monotonicSeconds() + grace
        for child in running {
            var status: Int32 = 0
            while waitpid(child.row.pid, &status, WNOHANG) == 0 {
                if Posix.monotonicSeconds() > deadline {
                    kill(child.row.pid, SIGKILL)
                    waitpid(child.row.pid, &status, 0)
                    break
                }
                usleep(5_000)
            }
            child.row.state = .exited
            child.row.exitDescription = Self.describe(status: status)
        }
        for child in children where child.outputFD >= 0 {
            Posix.close(child.outputFD)
            child.outputFD = -1
        }
    }

    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit \((status >> 8) & 0xff)" }
        return "signal \(signal)"
    }
}
