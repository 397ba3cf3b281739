import Foundation
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// The live dashboard (`selectscope` with no subcommand) running in a shell in a tmux pane,
/// for the end-to-end tests: it starts the dashboard on a free port, reads its screen as
/// panes (`DashboardScreen`), finds the dashboard's and its clients' pids, and checks that
/// after the dashboard ends nothing of it is left and the terminal reads as before.
///
/// A shell (not the dashboard itself) is the pane's process, so the terminal's modes can be
/// read before the dashboard starts and after it ends (`sttyBefore`, `sttyNow`), and the
/// shell reports the exit status on screen (`dashboard-exit-N=STATUS`).
final class DashboardDriver: @unchecked Sendable {
    typealias Failure = Rig.Failure

    let tmux: TmuxSession
    let binary: URL
    let width: Int
    let height: Int
    /// `stty -a` of the pane's terminal before the dashboard started.
    let sttyBefore: String
    private(set) var port = 0
    /// The dashboard's pid, once `start` saw it running.
    private(set) var pid: pid_t = 0
    /// Every client pid seen on screen (`clientRows`), for the clean-up checks and teardown.
    private(set) var seenClientPIDs: Set<pid_t> = []
    private var runs = 0

    /// A shell in a `width` × `height` pane; the dashboard starts with `start`.
    init(width: Int = 100, height: Int = 30, environment: [String: String] = [:]) throws {
        binary = try Rig.requireBinary()
        self.width = width
        self.height = height
        tmux = try TmuxSession.shell(width: width, height: height, environment: environment)
        sttyBefore = try tmux.sttyState()
    }

    deinit { tearDown() }

    /// Kills whatever is left (a failed test must not leave a dashboard or clients behind)
    /// and ends the tmux server.
    func tearDown() {
        for client in seenClientPIDs where Self.isClient(client, port: port) { kill(client, SIGKILL) }
        if pid > 0, Self.isDashboard(pid, port: port) { kill(pid, SIGKILL) }
        tmux.kill()
    }

    // MARK: - Starting

    /// Starts `selectscope --port P --interval 0.3 ARGUMENTS` on a free port and waits for its
    /// screen (the header names the port). A port taken between choosing and binding it (by
    /// another test's connection) is retried with another.
    @discardableResult
    func start(_ arguments: [String] = [], interval: Double = 0.3, timeout: Double = 15) throws -> DashboardScreen {
        for _ in 0..<3 {
            port = try Rig.freePort()
            runs += 1
            try tmux.run(commandLine(["--port", String(port), "--interval", String(interval)] + arguments))
            let run = runs
            let screen = try waitFor("the dashboard on port \(port)", timeout: timeout) { screen in
                screen.isDashboard(port: self.port) || screen.exitStatus(run: run) != nil
            }
            if screen.exitStatus(run: run) != nil {
                if screen.text.contains("already in use") { continue }
                throw Failure("the dashboard ended at once:\n\(screen.framed)")
            }
            let port = self.port
            let shell = tmux.panePID ?? 0
            guard Rig.waitUntil(timeout: 5, interval: 0.02, { Self.findDashboard(shell: shell, port: port) != nil }),
                  let pid = Self.findDashboard(shell: shell, port: port)
            else { throw Failure("no dashboard process (child of the pane's shell \(shell), --port \(port)) found") }
            self.pid = pid
            return screen
        }
        throw Failure("three free ports in a row were taken before the dashboard could bind them")
    }

    /// Types `selectscope ARGUMENTS` (then the exit marker) into the shell without waiting for
    /// anything: for runs expected to fail at once (`exitStatus` waits for their end).
    func runExpectingExit(_ arguments: [String], prefix: String = "", suffix: String = "") throws {
        runs += 1
        try tmux.run(commandLine(arguments, prefix: prefix, suffix: suffix))
    }

    /// `'…/selectscope' ARGUMENTS; echo dashboard-exit-N=$?`: the marker is computed by the
    /// shell, so the command line echoed on screen cannot match `dashboard-exit-N=<digits>`.
    private func commandLine(_ arguments: [String], prefix: String = "", suffix: String = "") -> String {
        let quoted = ([binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return prefix + quoted.joined(separator: " ") + suffix + "; echo dashboard-exit-\(runs)=$?"
    }

    // MARK: - Screen

    func screen() throws -> DashboardScreen { DashboardScreen(try tmux.capture()) }

    /// Polls the screen until `predicate` holds on a whole frame (every 50 ms, with a
    /// deadline); throws with the last screen. Client pids seen on the way are remembered
    /// (`seenClientPIDs`).
    ///
    /// A capture can fall in the middle of a frame: tmux shows what it has parsed so far of
    /// the dashboard's output, say the header of the new frame over the panes of the old one
    /// (a help overlay with half its rows, once in ten full runs). So a screen is judged only
    /// when a second capture taken right after it is the same: a settled frame. (Right after,
    /// before the predicate runs: a slow predicate would let a busy screen move on between
    /// the two and never settle.)
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 10, _ predicate: (DashboardScreen) -> Bool) throws -> DashboardScreen {
        let tmux = self.tmux
        let lines = try tmux.waitFor(what, timeout: timeout) { lines in
            guard (try? tmux.capture()) == lines else { return false }
            let screen = DashboardScreen(lines)
            self.remember(screen)
            return predicate(screen)
        }
        return DashboardScreen(lines)
    }

    private func remember(_ screen: DashboardScreen) {
        guard screen.isDashboard(port: port) else { return }
        for row in screen.clientRows { seenClientPIDs.insert(row.pid) }
    }

    func press(_ keys: String...) throws { try tmux.sendKeys(keys) }

    // MARK: - The end

    /// Waits for the dashboard to end and the shell to print its status; returns it.
    @discardableResult
    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let run = runs
        let screen = try waitFor("the shell's dashboard-exit-\(run)= line", timeout: timeout) { $0.exitStatus(run: run) != nil }
        return screen.exitStatus(run: run)!
    }

    /// Ends the dashboard with `q` and waits for it to go; returns the exit status.
    @discardableResult
    func quit(timeout: Double = 10) throws -> Int32 {
        try press("q")
        return try waitForExit(timeout: timeout)
    }

    /// `stty -a` of the pane's terminal now.
    func sttyNow() throws -> String { try tmux.sttyState() }

    /// `stty -a` without the window size (`rows N; columns M;`), which a resize changes.
    static func withoutSize(_ stty: String) -> String {
        stty.replacingOccurrences(of: #"rows \d+; columns \d+;"#, with: "rows ?; columns ?;", options: .regularExpression)
    }

    /// The client pids of `pids` that still exist as clients of this dashboard's port
    /// (running, or zombies not reaped), plus any `selectscope client … --port P` that
    /// pgrep finds. Empty when the dashboard cleaned up.
    ///
    /// `adoptedZombiesAreGone`: after a crash the dashboard cannot reap; a client that ended
    /// and was handed to init (a zombie whose parent is no longer the dashboard) has ended
    /// all the same, however slowly init reaps it.
    func leftoverClients(_ pids: Set<pid_t>, adoptedZombiesAreGone: Bool = false) -> [String] {
        var left: [String] = []
        for pid in pids.sorted() where Self.isClient(pid, port: port) {
            let stat = Self.stat(pid)
            if adoptedZombiesAreGone, let stat, stat.state == "Z", stat.ppid != self.pid { continue }
            left.append("pid \(pid) (state \(stat?.state ?? "?"), parent \(stat?.ppid ?? 0))")
        }
        let pattern = "selectscope client .*--port \(port)( |$)"
        if let result = try? TmuxSession.run("/usr/bin/pgrep", ["-f", pattern], environment: ProcessInfo.processInfo.environment),
           result.status == 0
        {
            left.append("pgrep -f '\(pattern)': \(result.stdout.split(separator: "\n").joined(separator: ","))")
        }
        return left
    }

    // MARK: - Processes (/proc)

    /// `state` and `ppid` from /proc/PID/stat; nil when there is no such process.
    static func stat(_ pid: pid_t) -> (state: Character, ppid: pid_t)? {
        guard let text = readProcFile("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let ppid = Int32(fields[1]) else { return nil }
        return (state, ppid)
    }

    /// /proc/PID/cmdline split at its NULs (empty for a zombie or a process that is gone).
    static func cmdline(_ pid: pid_t) -> [String] {
        guard let bytes = readProcBytes("/proc/\(pid)/cmdline") else { return [] }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `pid` is a `selectscope client` for `port`, still running or a zombie nobody reaped
    /// (a zombie has no cmdline, so any zombie at that pid counts: the pid cannot have been
    /// reused while it is one).
    static func isClient(_ pid: pid_t, port: Int) -> Bool {
        guard let stat = stat(pid) else { return false }
        if stat.state == "Z" { return true }
        let arguments = cmdline(pid)
        return arguments.contains("client") && hasPort(arguments, port)
    }

    static func isDashboard(_ pid: pid_t, port: Int) -> Bool {
        guard let state = stat(pid)?.state, state != "Z" else { return false }
        let arguments = cmdline(pid)
        return (arguments.first?.hasSuffix("selectscope") ?? false) && !arguments.contains("client") && hasPort(arguments, port)
    }

    private static func hasPort(_ arguments: [String], _ port: Int) -> Bool {
        guard let index = arguments.firstIndex(of: "--port"), index + 1 < arguments.count else { return false }
        return arguments[index + 1] == String(port)
    }

    /// The dashboard: the child of the pane's shell running `selectscope … --port P`.
    static func findDashboard(shell: pid_t, port: Int) -> pid_t? {
        for pid in allPIDs() where stat(pid)?.ppid == shell && isDashboard(pid, port: port) { return pid }
        return nil
    }

    /// A /proc file read to its end. (Foundation's readers stop after the first 4 KB of a
    /// procfs file, whose size reads as 0: /proc/net/tcp on a busy machine is longer.)
    static func readProcBytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    static func readProcFile(_ path: String) -> String? {
        readProcBytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func allPIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// The local ports of the TCP sockets `pid` holds open (from /proc/PID/fd and
    /// /proc/net/tcp{,6}): a client's ports are the peers the server shows for it.
    static func tcpLocalPorts(of pid: pid_t) -> Set<Int> {
        let folder = "/proc/\(pid)/fd"
        var inodes: Set<String> = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(name)"),
                  target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        var ports: Set<Int> = []
        for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
            guard let text = readProcFile(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, inodes.contains(String(fields[9])),
                      let colon = fields[1].lastIndex(of: ":"),
                      let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16)
                else { continue }
                ports.insert(port)
            }
        }
        return ports
    }
}

/// One capture of the dashboard's screen, read the way a person reads it: the header lines,
/// the panes by their titles, the rows of `clients`, `queues` and `log`.
struct DashboardScreen: CustomStringConvertible {
    let lines: [String]

    init(_ lines: [String]) { self.lines = lines }

    var text: String { lines.joined(separator: "\n") }
    var framed: String { lines.map { "|\($0)" }.joined(separator: "\n") }
    var description: String { framed }

    /// The dashboard is on screen: its header names the mode and the port it listens on.
    func isDashboard(port: Int) -> Bool {
        guard lines.count > 1 else { return false }
        return lines[0].range(of: #"^(mode|模式) [1-5] "#, options: .regularExpression) != nil && lines[0].hasSuffix(":\(port)")
    }

    /// The status the shell printed for run `run` (`dashboard-exit-RUN=STATUS`).
    func exitStatus(run: Int) -> Int32? {
        let marker = "dashboard-exit-\(run)="
        for line in lines {
            guard let range = line.range(of: marker) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let status = Int32(digits) { return status }
        }
        return nil
    }

    // MARK: - Header

    /// `mode N` at the start of the first line.
    var mode: Int? {
        guard let first = lines.first, let match = first.firstMatch(of: #/^(?:mode|模式) ([1-5]) /#) else { return nil }
        return Int(match.1)
    }

    /// The second header line (counters, then RUNNING / PAUSED / waiting in select()...).
    var statusLine: String { lines.count > 1 ? lines[1] : "" }
    var isPaused: Bool { statusLine.hasSuffix("PAUSED  space: step  enter: resume") || statusLine.hasSuffix("PAUSED") }
    /// RUNNING, possibly followed by the call in flight (`RUNNING  in select() #7`).
    var isRunning: Bool { statusLine.hasSuffix("RUNNING") || statusLine.contains("RUNNING  in ") }

    /// The call in flight as the last-call pane's first line names it: `→ in select() #7
    /// blocked for 3s …`: its number and how long it has blocked, in whole seconds.
    var inFlight: (seq: Int, blockedSeconds: Int)? {
        for line in lines {
            if let match = line.firstMatch(of: #/in (?:select|poll|epoll_wait)\(\) #(\d+)  blocked for (\d+)s/#) {
                return (Int(match.1)!, Int(match.2)!)
            }
        }
        return nil
    }

    /// The header's counter `calls N` / `timeouts N`.
    func counter(_ name: String) -> Int? {
        guard let range = statusLine.range(of: name + " ") else { return nil }
        return Int(statusLine[range.upperBound...].prefix { $0.isNumber })
    }

    // MARK: - Panes

    /// Each row as display cells: a wide character takes two (its second cell is "").
    var cells: [[String]] { lines.map(Self.cells) }

    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        for character in line {
            let width = ScreenCellWidth.of(character)
            if width == 0, !cells.isEmpty {
                cells[cells.count - 1] += String(character)
                continue
            }
            cells.append(String(character))
            if width == 2 { cells.append("") }
        }
        return cells
    }

    /// The title line of the pane called `title` (the text on its top border), or nil.
    func title(of title: String) -> String? {
        guard let (row, left, right) = locate(title) else { return nil }
        return cells[row][(left + 1)..<right].joined()
    }

    /// The inside of the pane called `title`, one string per row (trailing blanks trimmed);
    /// nil when no such pane is on screen.
    func pane(_ title: String) -> [String]? {
        guard let (row, left, right) = locate(title) else { return nil }
        let grid = cells
        var rows: [String] = []
        var y = row + 1
        // A pane's inside goes down while its left border is a vertical line (or the
        // junction of a neighbour's border, "┤"); it ends at the next title or the bottom.
        while y < grid.count, left < grid[y].count, grid[y][left] == "│" || grid[y][left] == "┤" {
            let end = min(right, grid[y].count)
            let inside = left + 1 < end ? grid[y][(left + 1)..<end].joined() : ""
            rows.append(String(inside.reversed().drop { $0 == " " }.reversed()))
            y += 1
        }
        return rows
    }

    /// Where a pane's title is: its row, the column of its left corner and of the corner
    /// that ends its top border.
    private func locate(_ title: String) -> (row: Int, left: Int, right: Int)? {
        let needle = Self.cells(" " + title + " ")
        let needleEnd = Self.cells(" " + title)
        let grid = cells
        for (y, row) in grid.enumerated() {
            for x in row.indices where "┌├┬┼".contains(row[x]) {
                let after = Array(row[(x + 1)...])
                let matches = after.starts(with: needle) || (after.count == needleEnd.count && after.elementsEqual(needleEnd))
                guard matches else { continue }
                guard let right = row.indices.first(where: { $0 > x + needle.count && "┐┤┬┼".contains(row[$0]) }) else { continue }
                return (y, x, right)
            }
        }
        return nil
    }

    /// The number a pane's title shows after its name (`inputs 3`, `outputs 0`).
    func count(in title: String) -> Int? {
        guard let line = self.title(of: title), let range = line.range(of: title + " ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// `last call #N`.
    var lastCall: Int? {
        guard let title = title(of: "last call"), let match = title.firstMatch(of: #/#(\d+)/#) else { return nil }
        return Int(match.1)
    }

    /// The fds and peer ports of `inputs` or `outputs` ("14 127.0.0.1:50370"); the listener
    /// row has `listener` instead of a port of ours.
    func listEntries(_ title: String) -> [(fd: Int, peerPort: Int?, isListener: Bool)] {
        (pane(title) ?? []).compactMap { row in
            guard let match = row.firstMatch(of: #/^\s*(\d+) (listener )?\S*:(\d+)$/#) else { return nil }
            return (Int(match.1)!, Int(match.3), match.2 != nil)
        }
    }

    struct ClientRow {
        let pid: pid_t
        let kind: String
        let state: String?
        let lastLine: String
        /// The connection's fd on the server's side and the client's local port, once known.
        var serverFD: Int? = nil
        var localPort: Int? = nil
    }

    /// The rows of `clients`: `23972 sender running  sent b'Hello, w…` (the state column is
    /// dropped on narrow screens).
    var clientRows: [ClientRow] {
        (pane("clients") ?? []).compactMap { row in
            guard let match = row.firstMatch(of: #/^\s*(\d+) (sender|echo|flood|idle|oob)\s+(?:(running|stopping|exited)\s+)?(?:fd (\d+) +)?(?::(\d+) +)?(.*)$/#)
            else { return nil }
            return ClientRow(pid: pid_t(match.1)!, kind: String(match.2), state: match.3.map(String.init), lastLine: String(match.6),
                             serverFD: match.4.flatMap { Int($0) }, localPort: match.5.flatMap { Int($0) })
        }
    }

    struct QueueRow {
        let fd: Int
        let peerPort: Int
        let messages: Int
        /// Bytes queued, when the pane shows them in bytes (`96B`), nil for `1.5K` and up.
        let queuedBytes: Int?
        let state: String
    }

    /// The rows of `queues` under its column header.
    var queueRows: [QueueRow] {
        (pane("queues") ?? []).compactMap { row in
            guard let match = row.firstMatch(of: #/^\s*(\d+) \S*:(\d+)\s+(\d+)\s+(\S+)\s+\S+\s+\S+\s+(reading|full|closing)/#)
            else { return nil }
            let queued = String(match.4)
            let bytes = queued.hasSuffix("B") ? Int(queued.dropLast()) : nil
            return QueueRow(fd: Int(match.1)!, peerPort: Int(match.2)!, messages: Int(match.3)!, queuedBytes: bytes, state: String(match.5))
        }
    }

    struct LogLine {
        let seq: Int
        let text: String
    }

    /// The lines of `log`: `#12 received b'Hello, world' from ('127.0.0.1', 50370)`.
    var logLines: [LogLine] {
        (pane("log") ?? []).compactMap { row in
            guard let match = row.firstMatch(of: #/^\s*#(\d+) (.*)$/#) else { return nil }
            return LogLine(seq: Int(match.1)!, text: String(match.2))
        }
    }

    /// The six panes SPEC §2 names are all on screen.
    var hasAllPanes: Bool {
        ["inputs", "outputs", "last call", "queues", "clients", "log"].allSatisfy { pane($0) != nil }
    }
}

/// Terminal display width, written here rather than taken from the product: East Asian wide
/// and fullwidth characters take two cells, combining marks none, the rest one (box drawing
/// and `·`, East Asian "ambiguous", take one in tmux as in most terminals).
enum ScreenCellWidth {
    static func of(_ character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars { width = max(width, of(scalar)) }
        return width
    }

    static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        switch value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default: return 1
        }
    }

    static func of(_ text: String) -> Int { text.reduce(0) { $0 + of($1) } }
}
