import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A terminal program running in a detached tmux session on a private server (its own
/// socket name, so tests never see each other's sessions or the user's). Tests type keys
/// (`sendKeys`), read the screen (`capture`), wait for what they expect (`waitFor`, polling
/// the screen with a deadline), resize the window and read the pane's terminal modes.
///
/// The server runs with no config but ours: no status line (the pane is the whole window),
/// `remain-on-exit on` (the last screen of a program that ended can still be read, and
/// `exitStatus` says how it ended), UTF-8, `TERM=tmux-256color` in the pane. The pane gets
/// this process's environment without `TMUX*` and `NO_COLOR`, with a UTF-8 locale, then
/// `environment` on top.
///
/// To compare the terminal before and after a program, run a shell in the pane
/// (`TmuxSession.shell()`), read `sttyState()`, start the program with `run(_:)`, and read
/// `sttyState()` again once it has ended: the shell (`/bin/sh`, no line editing) leaves the
/// modes as the program left them.
final class TmuxSession: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The tmux executable, nil when tmux is not installed (tests then skip or fail early).
    static let tmuxPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(folder)/tmux"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var isAvailable: Bool { tmuxPath != nil }

    let socketName: String
    /// The session (and window, and pane) every command targets.
    let target = "main"
    private let tmux: String
    private let configFile: URL
    private let environment: [String: String]
    private var socketPath: String?
    private var killed = false

    /// Starts `command` in a new detached session of `width` × `height` cells. One element
    /// is run by tmux through `sh -c`; several are run directly (then `panePID` is the
    /// program's own pid).
    init(_ command: [String], width: Int = 80, height: Int = 24, environment: [String: String] = [:]) throws {
        guard let tmux = Self.tmuxPath else { throw Failure("tmux is not installed") }
        precondition(!command.isEmpty, "TmuxSession needs a command")
        self.tmux = tmux
        socketName = "selectscope-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        configFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(socketName).conf")
        try """
        set -g status off
        set -g remain-on-exit on
        set -g default-terminal tmux-256color
        set -g history-limit 2000
        set -g escape-time 0
        """.write(to: configFile, atomically: true, encoding: .utf8)

        var base = ProcessInfo.processInfo.environment
        for name in ["TMUX", "TMUX_PANE", "NO_COLOR"] { base[name] = nil }
        base["LANG"] = "C.UTF-8"
        base["LC_ALL"] = "C.UTF-8"
        self.environment = base.merging(environment) { _, new in new }

        try tmuxCommand(["new-session", "-d", "-s", target, "-x", String(width), "-y", String(height), "--"] + command)
        socketPath = try? display("#{socket_path}")
    }

    /// `/bin/sh` (no line editing, so it leaves terminal modes alone), ready for `run(_:)`
    /// once its prompt (`$ `, or `# ` for root) is on screen.
    static func shell(width: Int = 80, height: Int = 24, environment: [String: String] = [:]) throws -> TmuxSession {
        var environment = environment
        environment["ENV"] = ""
        let session = try TmuxSession(["/bin/sh"], width: width, height: height, environment: environment)
        try session.waitFor("the shell's prompt", timeout: 10) { $0.contains { $0.hasPrefix("$") || $0.hasPrefix("#") } }
        return session
    }

    deinit { kill() }

    // MARK: - Keys

    /// Sends tmux key names: `q`, `Space`, `Enter`, `C-c`, `Up`, `PPage`, `F5`, `Escape`…
    func sendKeys(_ keys: String...) throws { try sendKeys(keys) }

    func sendKeys(_ keys: [String]) throws {
        try tmuxCommand(["send-keys", "-t", target] + keys)
    }

    /// Types `text` literally (no key-name lookup).
    func type(_ text: String) throws {
        try tmuxCommand(["send-keys", "-t", target, "-l", "--", text])
    }

    /// Types a command line into the pane's shell and presses Enter.
    func run(_ commandLine: String) throws {
        try type(commandLine)
        try sendKeys("Enter")
    }

    // MARK: - Screen

    /// The visible screen, one string per row (trailing blanks trimmed by tmux).
    func capture() throws -> [String] {
        Self.lines(try tmuxCommand(["capture-pane", "-p", "-t", target]))
    }

    /// The visible screen with SGR escape sequences for colours and attributes (`-e`).
    func captureWithAttributes() throws -> [String] {
        Self.lines(try tmuxCommand(["capture-pane", "-p", "-e", "-t", target]))
    }

    /// Polls the screen every 50 ms until `predicate` holds; returns that screen. Throws at
    /// the deadline, with the last screen in the message.
    @discardableResult
    func waitFor(_ what: String = "the expected screen", timeout: Double = 10, _ predicate: ([String]) -> Bool) throws -> [String] {
        let deadline = Self.now() + timeout
        var last: [String] = []
        while true {
            last = try capture()
            if predicate(last) { return last }
            if Self.now() >= deadline {
                throw Failure("timed out after \(timeout) s waiting for \(what); last screen:\n" + Self.framed(last))
            }
            usleep(50_000)
        }
    }

    /// Waits until some row contains `text`.
    @discardableResult
    func waitFor(text: String, timeout: Double = 10) throws -> [String] {
        try waitFor("“\(text)” on screen", timeout: timeout) { screen in screen.contains { $0.contains(text) } }
    }

    /// Resizes the window (and so the pane, which fills it): the program gets SIGWINCH.
    func resize(width: Int, height: Int) throws {
        try tmuxCommand(["resize-window", "-t", target, "-x", String(width), "-y", String(height)])
    }

    /// The pane's size as tmux sees it.
    func paneSize() throws -> (width: Int, height: Int) {
        let parts = try display("#{pane_width} #{pane_height}").split(separator: " ").compactMap { Int($0) }
        guard parts.count == 2 else { throw Failure("unexpected pane size") }
        return (parts[0], parts[1])
    }

    // MARK: - The pane's terminal and process

    /// The pane's terminal device (`/dev/pts/N`).
    func paneTTY() throws -> String { try display("#{pane_tty}") }

    /// `stty -a` of the pane's terminal, read through its device (`stty -F`), so it can be
    /// read while a program runs in the pane as well as before and after. The device must
    /// still be open in the pane (a shell, or the program, still running).
    func sttyState() throws -> String {
        let tty = try paneTTY()
        let result = try Self.run("/bin/stty", ["-a", "-F", tty], environment: environment)
        guard result.status == 0 else { throw Failure("stty -a -F \(tty) failed (\(result.status)): \(result.stderr)") }
        return result.stdout
    }

    /// The pid of the pane's process (the program, or `sh` for a one-string command).
    var panePID: pid_t? {
        guard let text = try? display("#{pane_pid}"), let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    /// The leader of the pane terminal's foreground process group (`tpgid` in
    /// /proc/PID/stat): the program a shell in the pane is running now (an interactive `sh`
    /// puts each command in its own group), or the shell itself at its prompt.
    var foregroundPID: pid_t? {
        guard let pane = panePID,
              let stat = try? String(contentsOfFile: "/proc/\(pane)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)": state ppid pgrp session tty_nr tpgid …
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 5, let tpgid = Int32(fields[5]), tpgid > 0 else { return nil }
        return tpgid
    }

    /// The pane's process is still running (false once it ended, or the server is gone).
    var isAlive: Bool {
        guard let dead = try? display("#{pane_dead}") else { return false }
        return dead == "0"
    }

    /// How the pane's process ended: its exit status, or 128 + the signal that killed it;
    /// nil while it runs (and for a moment after, until tmux has reaped it).
    var exitStatus: Int32? {
        guard let (dead, status) = deadStatus() else { return nil }
        if let status { return status }
        guard dead else { return nil }
        // tmux 3.3a under load sometimes misses the pane's SIGCHLD and leaves it a zombie
        // (pane dead, status unknown) until some other child of the server ends: end one.
        _ = try? tmuxCommand(["run-shell", "true"])
        return deadStatus()?.status
    }

    /// `#{pane_dead}`, and the status once tmux has reaped the pane's process.
    private func deadStatus() -> (dead: Bool, status: Int32?)? {
        guard let fields = try? display("#{pane_dead} #{pane_dead_status} #{pane_dead_signal}") else { return nil }
        let parts = fields.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "1" else { return (false, nil) }
        if parts.count > 2, let signal = Int32(parts[2]), signal > 0 { return (true, 128 + signal) }
        if parts.count > 1, let status = Int32(parts[1]) { return (true, status) }
        return (true, nil)
    }

    /// Waits for the pane's process to end and tmux to learn how (the pane dies when its
    /// terminal closes, the status comes a moment later); returns `exitStatus`. Throws at the
    /// deadline.
    @discardableResult
    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = Self.now() + timeout
        while true {
            if let status = exitStatus { return status }
            if Self.now() >= deadline {
                throw Failure("the program in the pane did not end within \(timeout) s; screen:\n" + Self.framed((try? capture()) ?? []))
            }
            usleep(20_000)
        }
    }

    /// A tmux format (`#{…}`) evaluated for the pane.
    func display(_ format: String) throws -> String {
        try tmuxCommand(["display-message", "-p", "-t", target, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Ends the server and everything in it (the pane's process gets SIGHUP). Idempotent.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? Self.run(tmux, ["-L", socketName, "kill-server"], environment: environment)
        try? FileManager.default.removeItem(at: configFile)
        if let socketPath { unlink(socketPath) }  // tmux leaves its socket file behind
    }

    // MARK: - Running tmux

    @discardableResult
    private func tmuxCommand(_ arguments: [String]) throws -> String {
        let result = try Self.run(tmux, ["-u", "-L", socketName, "-f", configFile.path] + arguments, environment: environment)
        guard result.status == 0 else {
            throw Failure("tmux \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a short command to its end (10 s at most) and collects its output. Spawned with an
    /// empty signal mask and default handlers (the test runner's threads block signals, and a
    /// tmux server started from here would pass that on to the program under test), and
    /// with nothing of this process open beyond stdin/stdout/stderr.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double = 10) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw Failure("pipe: errno \(errno)") }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        let pid: pid_t
        do {
            pid = try Rig.spawn(executable, arguments, environment: environment, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw Failure("\(error)")
        }
        close(outPipe[1])
        close(errPipe[1])

        // Read both pipes to their end (the tmux server, once daemonised, holds neither).
        var collected: [Int32: [UInt8]] = [outPipe[0]: [], errPipe[0]: []]
        var open = [outPipe[0], errPipe[0]]
        let deadline = now() + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let left = deadline - now()
            if left <= 0 {
                Glibc.kill(pid, SIGKILL)
                break
            }
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), Int32(left * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            for entry in polled where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    collected[entry.fd]! += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for fd in open { close(fd) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return (code, String(decoding: collected[outPipe[0]]!, as: UTF8.self), String(decoding: collected[errPipe[0]]!, as: UTF8.self))
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func framed(_ screen: [String]) -> String {
        screen.map { "|\($0)" }.joined(separator: "\n")
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension TmuxSession {
    /// The text of a captured line drawn in reverse video (SGR 7 on, until 27 or 0).
    static func reversedText(_ line: String) -> String {
        var reversed = false
        var text = ""
        var rest = Substring(line)
        while let match = rest.firstMatch(of: #/\u{1B}\[([0-9;]*)m/#) {
            if reversed { text += rest[..<match.range.lowerBound] }
            for parameter in match.1.split(separator: ";", omittingEmptySubsequences: false) {
                switch parameter {
                case "7": reversed = true
                case "27", "0", "": reversed = false
                default: break
                }
            }
            rest = rest[match.range.upperBound...]
        }
        if reversed { text += rest }
        return text
    }
}
