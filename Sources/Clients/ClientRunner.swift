import SelectCore
import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// The seed's clients (and the extra kinds), as blocking socket code like the seed's.
/// Echoes are printed the way Python prints bytes: `b'Hello, world'`.
public enum ClientRunner {
    public enum Failure: Error, CustomStringConvertible {
        case connect(host: String, port: Int, error: Error)
        public var description: String {
            switch self {
            case .connect(let host, let port, let error):
                return "cannot connect to \(host) port \(port): \(error)"
            }
        }
    }

    /// The connected socket, for the reset signal handler.
    nonisolated(unsafe) static var socketFD: Int32 = -1

    /// Runs until the count is reached, the server closes, or a signal ends the process.
    /// Returns the exit status.
    public static func run(_ config: ClientConfig) throws -> Int32 {
        Posix.ignoreSIGPIPE()
        if let parent = config.parentPID {
            _ = ss_set_parent_death_signal(SIGTERM)
            // The parent may have died before the line above: then nobody would send it.
            if getppid() != parent { return 1 }
        }
        let fd: Int32
        do {
            fd = try Sockets.connect(host: config.host, port: config.port)
        } catch {
            throw Failure.connect(host: config.host, port: config.port, error: error)
        }
        socketFD = fd
        installReset(on: SIGUSR1)
        // A flood client's FIN would queue behind its own unsent bytes, which a server that
        // stopped reading it (backpressure) never takes: the peer would linger for minutes.
        // Ended (`x`), it resets instead, so the server sees it go at once.
        if config.kind == .flood { installReset(on: SIGTERM) }
        let local = PeerAddress.local(of: fd).map(\.description) ?? "?"
        status("\(config.kind.rawValue) connected from \(local)")

        let message = Array(config.message.utf8)
        switch config.kind {
        case .idle:
            // Connect and say nothing; a read returns when the server closes.
            waitForClose(fd)
            status("server closed the connection")
            return 0
        case .reset:
            sendAll(fd, message)
            status("sent \(PythonRepr.bytes(message)), closing with RST")
            Sockets.resetAndClose(fd)
            return 0
        case .flood:
            return flood(fd, message: message, count: config.count)
        case .sender, .echo, .oob:
            var sent = 0
            while config.count.map({ sent < $0 }) ?? true {
                if config.kind == .oob {
                    sendAll(fd, message)
                    var urgent = UInt8(ascii: "!")
                    if Glibc.send(fd, &urgent, 1, Int32(SS_MSG_OOB) | Int32(MSG_NOSIGNAL)) < 0 {
                        status("send failed: \(SystemError("send", errno: errno).message)")
                        return 1
                    }
                } else if !sendAll(fd, message) {
                    status("send failed: \(SystemError("send", errno: errno).message)")
                    return 1
                }
                sent += 1
                if config.kind == .sender {
                    status("sent \(PythonRepr.bytes(message))")
                } else {
                    guard let echo = receiveEcho(fd, expected: message.count) else {
                        status("server closed the connection")
                        return 0
                    }
                    printLine(PythonRepr.bytes(echo))
                }
                if config.count.map({ sent >= $0 }) ?? false { break }
                sleepSeconds(config.interval)
            }
            Glibc.shutdown(fd, Int32(SHUT_WR))
            waitForClose(fd)
            Posix.close(fd)
            return 0
        }
    }

    /// Reads what the server echoes for one message. Like the seed, one recv of up to 1024
    /// bytes, but it keeps reading until the whole message is back, so a split echo still
    /// prints once.
    static func receiveEcho(_ fd: Int32, expected: Int) -> [UInt8]? {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while collected.count < max(1, expected) {
            let count = Glibc.recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return collected.isEmpty ? nil : collected }
            collected.append(contentsOf: buffer[0..<count])
        }
        return collected
    }

    static func flood(_ fd: Int32, message: [UInt8], count: Int?) -> Int32 {
        var sent = 0
        var nextReport = 1
        while count.map({ sent < $0 }) ?? true {
            guard sendAll(fd, message) else {
                status("flood stopped after \(sent) messages: \(SystemError("send", errno: errno).message)")
                return 0
            }
            sent += 1
            if sent >= nextReport {
                status("flooded \(sent) messages")
                nextReport *= 2
            }
        }
        status("flooded \(sent) messages")
        Posix.close(fd)
        return 0
    }

    @discardableResult
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    static func waitForClose(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = Glibc.recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
        }
    }

    static func sleepSeconds(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// The seed's output: one line per echo on stdout.
    static func printLine(_ text: String) {
        let writer = LineWriter(fd: STDOUT_FILENO)
        writer.appendLine(text)
        writer.flush()
    }

    /// What the client is doing, on stderr, so stdout stays exactly the seed's.
    static func status(_ text: String) {
        let writer = LineWriter(fd: STDERR_FILENO)
        writer.appendLine(text)
        writer.flush()
    }

    /// `r` in the dashboard sends SIGUSR1: close with an RST right now. setsockopt, close
    /// and _exit are async-signal-safe.
    static func installReset(on signal: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(ClientRunner.socketFD, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            Glibc.close(ClientRunner.socketFD)
            _exit(0)
        }
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }
}
