import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process with its stdout and stderr collected as they come, so a test can wait
/// for a line while the process runs, signal it, and wait for its exit with a deadline.
///
/// Spawned with posix_spawn rather than Foundation's `Process`: the test runner's worker
/// threads block most signals (SIGINT, SIGTERM, SIGHUP…) and a child inherits that mask, so a
/// server started by `Process` from a test never sees SIGTERM. Here the child starts with an
/// empty mask and default handlers, as from a shell.
final class SpawnedProcess: @unchecked Sendable {
    let pid: pid_t
    let name: String
    private let output = Rig.Guarded((out: Data(), err: Data(), openStreams: 2))
    private let exit = Rig.Guarded<Int32?>(nil)

    /// `stdout`: a descriptor of the test's to hand the child as its stdout (a pipe nobody
    /// reads, say) instead of one the test collects.
    init(_ executable: URL, _ arguments: [String], name: String? = nil, stdout givenStdout: Int32? = nil) throws {
        self.name = name ?? executable.lastPathComponent
        let out = try SpawnedProcess.pipe()
        let err = try SpawnedProcess.pipe()

        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        environment["NO_COLOR"] = "1"
        let pid: pid_t
        do {
            pid = try Rig.spawn(executable.path, arguments, environment: environment, stdout: givenStdout ?? out.write, stderr: err.write)
        } catch {
            for fd in [out.read, out.write, err.read, err.write] { Glibc.close(fd) }
            throw error
        }
        Glibc.close(out.write)
        Glibc.close(err.write)
        self.pid = pid
        if givenStdout == nil {
            startReader(out.read, isOut: true)
        } else {
            Glibc.close(out.read)
            output.modify { $0.openStreams -= 1 }
        }
        startReader(err.read, isOut: false)
    }

    /// `selectscope ARGS`.
    static func selectscope(_ arguments: [String], stdout: Int32? = nil) throws -> SpawnedProcess {
        try SpawnedProcess(try Rig.requireBinary(), arguments, name: "selectscope \(arguments.first ?? "")", stdout: stdout)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { throw Rig.Failure("pipe: errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private func startReader(_ fd: Int32, isOut: Bool) {
        let output = self.output
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                output.modify { value in
                    if isOut { value.out.append(contentsOf: buffer[0..<count]) } else { value.err.append(contentsOf: buffer[0..<count]) }
                }
            }
            Glibc.close(fd)
            output.modify { $0.openStreams -= 1 }
        }
        thread.start()
    }

    var stdout: String { output.read { String(decoding: $0.out, as: UTF8.self) } }
    var stderr: String { output.read { String(decoding: $0.err, as: UTF8.self) } }

    /// Reaps the child if it ended; its status (exit code, or 128 + signal) once it has.
    private func poll() -> Int32? {
        exit.modify { known in
            if let known { return known }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid else { return nil }
            let signal = status & 0x7f
            known = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            return known
        }
    }

    var isRunning: Bool { poll() == nil }

    func waitForStdout(containing text: String, timeout: Double = 10) -> Bool {
        Rig.waitUntil(timeout: timeout) { stdout.contains(text) }
    }

    func waitForStderr(containing text: String, timeout: Double = 10) -> Bool {
        Rig.waitUntil(timeout: timeout) { stderr.contains(text) }
    }

    /// The exit status (or 128 + signal), once the process ended and its output was read;
    /// nil if it was still running at the deadline.
    func waitForExit(timeout: Double = 10) -> Int32? {
        guard Rig.waitUntil(timeout: timeout, { poll() != nil }) else { return nil }
        // Its streams end with it (unless a child of its own still holds them): read them out.
        Rig.waitUntil(timeout: 2) { output.read { $0.openStreams == 0 } }
        return poll()
    }

    func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGTERM, then SIGKILL if it does not go within `grace` seconds. Returns the status.
    @discardableResult
    func stop(grace: Double = 5) -> Int32? {
        signal(SIGTERM)
        if let status = waitForExit(timeout: grace) { return status }
        signal(SIGKILL)
        return waitForExit(timeout: 5)
    }

    /// Everything it printed, for failure messages.
    var transcript: String { "[\(name) stdout]\n\(stdout)\n[\(name) stderr]\n\(stderr)" }
}

extension Rig {
    /// A value behind a `Mutex`, shared with reader threads.
    final class Guarded<Value: Sendable>: Sendable {
        private let state: Mutex<Value>
        init(_ value: sending Value) { state = Mutex(value) }
        func read<R, E: Error>(_ body: (Value) throws(E) -> R) throws(E) -> R {
            try modify { (value: inout Value) throws(E) -> R in try body(value) }
        }
        func modify<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
            var result: R?
            try state.withLock { (value: inout sending Value) throws(E) -> Void in result = try body(&value) }
            return result!
        }
    }

    /// Starts `selectscope server ARGS --port 0` (unless a port is given) and waits for its
    /// startup line; returns the process and the port it listens on.
    static func startServer(_ arguments: [String], stdout: Int32? = nil) throws -> (SpawnedProcess, Int) {
        var arguments = ["server"] + arguments
        if !arguments.contains("--port") { arguments += ["--port", "0"] }
        if !arguments.contains("--host") { arguments += ["--host", "127.0.0.1"] }
        let server = try SpawnedProcess.selectscope(arguments, stdout: stdout)
        guard server.waitForStderr(containing: "listening on", timeout: 15), let port = announcedPort(server.stderr) else {
            server.stop()
            throw Failure("server did not start: \(server.transcript)")
        }
        return (server, port)
    }
}
