import Foundation
import Testing
@testable import ProcessTesting
#if canImport(Glibc)
import Glibc
#endif

/// The real dashboard (`selectscope`, no subcommand) in a real terminal: tmux runs a shell,
/// the shell runs the dashboard on a port of its own, the test types keys (`send-keys`) and
/// reads the screen (`capture-pane`), and checks the processes behind it in /proc. Every wait
/// has a deadline; every test has its own tmux server and its own port, so they run in
/// parallel. The clients the dashboard starts send every 0.3 s (`--interval 0.3`).
@Suite(
    "The live dashboard in a real terminal (tmux)",
    .enabled(if: TmuxSession.isAvailable, "tmux is not installed"),
    .enabled(if: Rig.binary != nil, "the selectscope binary was not built")
)
struct DashboardEndToEndTests {
    // MARK: - Start, spawn, watch

    @Test("100×30: mode 1 with its six panes; `c` twice starts two sender processes whose connections appear in inputs and whose queues grow")
    func startAndSpawnSenders() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        let first = try dashboard.start()
        #expect(first.mode == 1, "\(first)")
        try dashboard.waitFor("all six panes") { $0.hasAllPanes }
        // Colour is on (so the NO_COLOR test's check for its absence means something).
        #expect(Self.hasColour(try dashboard.tmux.captureWithAttributes()))

        try dashboard.press("c")
        try dashboard.waitFor("the first client in `clients`") { $0.clientRows.count == 1 }
        try dashboard.press("c")
        let spawned = try dashboard.waitFor("two running sender clients") { screen in
            screen.clientRows.count == 2 && screen.clientRows.allSatisfy { $0.kind == "sender" && $0.state == "running" }
        }
        let pids = spawned.clientRows.map(\.pid)
        #expect(Set(pids).count == 2)
        try expectChildClients(pids, of: dashboard)

        // Their connections are in `inputs`: the peers shown are the clients' own sockets.
        var clientPorts: [pid_t: Int] = [:]
        let inputs = try dashboard.waitFor("each client's socket among the peers in `inputs`") { screen in
            let entries = screen.listEntries("inputs")
            let peers = Set(entries.filter { !$0.isListener }.compactMap(\.peerPort))
            for pid in pids {
                let ports = DashboardDriver.tcpLocalPorts(of: pid)
                guard ports.count == 1, let port = ports.first, peers.contains(port) else { return false }
                clientPorts[pid] = port
            }
            return peers.count == 2 && entries.contains { $0.isListener && $0.peerPort == dashboard.port }
        }
        #expect(inputs.count(in: "inputs") == 3, "\(inputs)")
        #expect(inputs.counter("conns") == 2, "\(inputs)")

        // Mode 1 only reads: every `Hello, world` (12 bytes) stays queued, so msgs and queued
        // bytes go up, round after round, for both connections.
        let ports = Array(clientPorts.values)
        var previous: [Int: Int] = [:]
        for round in 1...3 {
            let screen = try dashboard.waitFor("both queues to grow (round \(round))") { screen in
                ports.allSatisfy { port in screen.queueRows.contains { $0.peerPort == port && $0.messages > (previous[port] ?? 0) } }
            }
            for row in screen.queueRows where ports.contains(row.peerPort) {
                #expect(row.state == "reading")
                if let bytes = row.queuedBytes {
                    #expect(bytes % 12 == 0 && bytes >= 12 * row.messages, "queued \(bytes) B for \(row.messages) messages")
                }
                previous[row.peerPort] = row.messages
            }
        }
        let log = try dashboard.screen().logLines.map(\.text)
        for port in ports {
            #expect(log.contains("received b'Hello, world' from ('127.0.0.1', \(port))"), "\(log)")
        }
        #expect(try dashboard.screen().pane("outputs")?.first?.contains("this mode never sends") == true)

        try quitAndExpectClean(dashboard, clients: Set(pids), by: .q)
    }

    @Test("80×24: the six panes fit, and a client started with `c` shows in clients and inputs")
    func startAt80x24() throws {
        let dashboard = try DashboardDriver(width: 80, height: 24)
        defer { dashboard.tearDown() }
        let first = try dashboard.start()
        #expect(first.mode == 1)
        try dashboard.waitFor("all six panes at 80×24") { $0.hasAllPanes }
        try dashboard.press("c")
        let screen = try dashboard.waitFor("a sender that has sent") { screen in
            screen.clientRows.contains { $0.kind == "sender" && $0.lastLine.contains("sent b'Hello") }
                && screen.listEntries("inputs").contains { !$0.isListener }
        }
        let pids = screen.clientRows.map(\.pid)
        try expectChildClients(pids, of: dashboard)
        #expect(screen.lines.count == 24)
        try quitAndExpectClean(dashboard, clients: Set(pids), by: .q)
    }

    // MARK: - Mode 4: writefds

    @Test("mode 4: an echo client prints b'Hello, world'; outputs takes its connection and lets it go after each echo")
    func modeFourEchoes() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("4")
        try dashboard.waitFor("mode 4 in the header") { $0.mode == 4 }
        try dashboard.press("c")
        let echoed = try dashboard.waitFor("an echo client printing b'Hello, world'") { screen in
            screen.clientRows.contains { $0.kind == "echo" && $0.lastLine.contains("b'Hello, world'") }
        }
        let pid = try #require(echoed.clientRows.first { $0.kind == "echo" }?.pid)
        try expectChildClients([pid], of: dashboard)
        var localPort: Int?
        Rig.waitUntil(timeout: 5) {
            let ports = DashboardDriver.tcpLocalPorts(of: pid)
            localPort = ports.count == 1 ? ports.first : nil
            return localPort != nil
        }
        let port = try #require(localPort, "the echo client's socket")
        let peer = "('127.0.0.1', \(port))"

        // Running: the log tells each echo's story in the seed's words.
        try dashboard.waitFor("`sending` then `output queue … is empty` for \(peer) in the log") { screen in
            let log = screen.logLines
            guard let sending = log.last(where: { $0.text == "sending b'Hello, world' to \(peer)" }) else { return false }
            return log.contains { $0.seq > sending.seq && $0.text == "output queue for \(peer) is empty" }
        }

        // Paused, one call at a time: a received message puts the connection in outputs; a
        // later call finds it writable and sends; the next one finds its queue empty and lets
        // it go (the seed's `output queue for … is empty`).
        try dashboard.press("Space")
        var screen = try dashboard.waitFor("PAUSED") { $0.isPaused && $0.lastCall != nil }
        var call = try #require(screen.lastCall)
        var takenAt: Int?
        var sentAt: Int?
        var letGo = false
        for _ in 0..<40 where !letGo {
            screen = try step(dashboard, after: call)
            call += 1
            let thisCall = screen.logLines.filter { $0.seq == call }.map(\.text)
            let held = screen.listEntries("outputs").contains { $0.peerPort == port }
            if takenAt == nil {
                if held {
                    takenAt = call
                    #expect(screen.count(in: "outputs") == 1, "\(screen)")
                    #expect(thisCall.contains("received b'Hello, world' from \(peer)"), "\(screen)")
                }
            } else if held {
                if thisCall.contains("sending b'Hello, world' to \(peer)") { sentAt = sentAt ?? call }
            } else {
                letGo = true
                #expect(screen.count(in: "outputs") == 0, "\(screen)")
                #expect(thisCall.contains("output queue for \(peer) is empty"), "\(screen)")
            }
        }
        #expect(sentAt != nil, "no `sending` while outputs held the connection")
        #expect(takenAt != nil, "outputs never held the echo client's connection")
        #expect(letGo, "outputs never let the echo client's connection go")
        try dashboard.press("Enter")
        try dashboard.waitFor("RUNNING again") { $0.isRunning }
        try quitAndExpectClean(dashboard, clients: [pid], by: .q)
    }

    // MARK: - Modes and timeout

    @Test("1–5 switch the mode at once (header), and mode 5 times out after about 2 s with no traffic")
    func switchModesAndTimeOut() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        let first = try dashboard.start()
        #expect(first.mode == 1)
        // No clients: modes 1–4 block in select() with no timeout, and still react at once.
        // Timed from the key, not from seeing its effect: a slow capture of the mode 5 header
        // must not make the 2 s wait look short.
        var switched = Rig.now()
        for mode in 2...5 {
            switched = Rig.now()
            try dashboard.press(String(mode))
            let screen = try dashboard.waitFor("mode \(mode) in the header", timeout: 5) { $0.mode == mode }
            #expect(screen.lines[0].contains("練習\(mode)"))
        }
        let timedOut = try dashboard.waitFor("`timeout` in the log", timeout: 10) { screen in
            screen.logLines.contains { $0.text == "timeout" }
        }
        let elapsed = Rig.now() - switched
        #expect(elapsed >= 1.9, "mode 5's select() waits 2 s; the timeout came \(elapsed) s after the key")
        #expect((timedOut.counter("timeouts") ?? 0) >= 1, "\(timedOut)")
        #expect(timedOut.pane("last call")?.contains { $0.hasPrefix("timeout 2") } == true, "\(timedOut)")
        try dashboard.press("1")
        try dashboard.waitFor("mode 1 again", timeout: 5) { $0.mode == 1 }
        try quitAndExpectClean(dashboard, clients: [], by: .q)
    }

    // MARK: - Stepping

    @Test("space pauses (PAUSED), each further space makes exactly one call, enter resumes (RUNNING); x closes the client")
    func pauseStepResume() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("c")
        let running = try dashboard.waitFor("a sender whose messages arrive") { screen in
            screen.clientRows.count == 1 && screen.logLines.contains { $0.text.hasPrefix("received b'Hello, world'") }
        }
        let pid = running.clientRows[0].pid

        try dashboard.press("Space")
        var screen = try dashboard.waitFor("PAUSED in the header") { $0.isPaused && $0.lastCall != nil }
        #expect(screen.pane("last call")?.first?.hasPrefix("PAUSED  next call:") == true, "\(screen)")
        let paused = try #require(screen.lastCall)
        var call = paused
        for _ in 1...3 {
            screen = try step(dashboard, after: call)
            call += 1
        }
        #expect(call == paused + 3)
        #expect(screen.counter("calls") == call, "\(screen)")

        try dashboard.press("Enter")
        try dashboard.waitFor("RUNNING, calls going on by themselves") { screen in
            screen.isRunning && (screen.lastCall ?? 0) > call + 1
        }

        // `x` closes the newest client: it ends and the dashboard reaps it.
        try dashboard.press("x")
        try dashboard.waitFor("the client shown as exited, or gone") { screen in
            !screen.clientRows.contains { $0.pid == pid && $0.state != "exited" }
        }
        #expect(Rig.waitUntil(timeout: 5) { DashboardDriver.stat(pid) == nil }, "client \(pid) not reaped after x")
        try quitAndExpectClean(dashboard, clients: [pid], by: .q)
    }

    // MARK: - Resize, help

    @Test("resizing to 20×5 shows one line saying the terminal is too small; back to 100×30 draws the panes again")
    func resizeDownAndBack() throws {
        let dashboard = try DashboardDriver(width: 100, height: 30)
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.waitFor("all six panes") { $0.hasAllPanes }

        try dashboard.tmux.resize(width: 20, height: 5)
        let small = try dashboard.waitFor("one line: terminal too small") { screen in
            let used = screen.lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return used.count == 1 && screen.lines[0].hasPrefix("terminal too small")
        }
        #expect(small.lines.count == 5)
        let size = try dashboard.tmux.paneSize()
        #expect(size.width == 20 && size.height == 5)

        try dashboard.tmux.resize(width: 100, height: 30)
        let back = try dashboard.waitFor("the panes again at 100×30") { $0.hasAllPanes && $0.mode == 1 }
        #expect(back.lines.count == 30)
        #expect(back.isDashboard(port: dashboard.port))
        try quitAndExpectClean(dashboard, clients: [], by: .q)
    }

    /// Every key of SPEC §2 with a piece of its help sentence.
    static let helpKeys: [(key: String, words: String)] = [
        ("1-5", "switch to exercise"), ("c", "start the mode's client"), ("f", "flood client"),
        ("i", "idle client"), ("o", "oob client"), ("x", "close the newest client"),
        ("r", "reset the newest client"), ("space", "pause before the next call"), ("enter", "resume"),
        ("b", "next backend"), ("+/-", "new clients send more"), ("up/down", "select a connection"),
        ("PgUp/PgDn", "page the focused pane"), ("p", "breakpoints"), ("z", "zoom"),
        ("?", "show or hide this help"), ("q", "quit"),
    ]

    @Test("? opens the help overlay listing every key; ? (and esc) close it")
    func helpOverlay() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.waitFor("all six panes") { $0.hasAllPanes }
        #expect(try dashboard.screen().lines.last?.contains("? help") == true)

        try dashboard.press("?")
        // The whole overlay: its last row drawn too.
        let help = try dashboard.waitFor("the help overlay, down to its last row") { screen in
            screen.pane("help")?.contains { $0.contains("press ? or esc to close") } == true
        }
        let rows = try #require(help.pane("help"))
        for (key, words) in Self.helpKeys {
            #expect(rows.contains { row in
                let trimmed = row.drop { $0 == " " }
                return trimmed.hasPrefix(key + " ") && trimmed.contains(words)
            }, "help has no line for \(key) (\(words)):\n\(help)")
        }
        #expect(rows.contains { $0.contains("press ? or esc to close") })

        try dashboard.press("?")
        try dashboard.waitFor("the overlay gone after ?") { $0.pane("help") == nil && $0.hasAllPanes }
        try dashboard.press("?")
        try dashboard.waitFor("the overlay again") { $0.pane("help") != nil }
        try dashboard.press("Escape")
        try dashboard.waitFor("the overlay gone after esc") { $0.pane("help") == nil && $0.hasAllPanes }
        // Still alive and answering keys.
        try dashboard.press("2")
        try dashboard.waitFor("mode 2") { $0.mode == 2 }
        try quitAndExpectClean(dashboard, clients: [], by: .q)
    }

    // MARK: - Quitting

    enum QuitWay: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case q, ctrlC, sigterm, sighup
        /// A crash (a Swift trap is SIGILL on x86_64): the crash handler must still end the
        /// clients and restore the terminal, then die of the signal.
        case sigsegv, sigabrt, sigill

        var testDescription: String {
            switch self {
            case .q: return "q"
            case .ctrlC: return "Ctrl-C"
            case .sigterm: return "SIGTERM"
            case .sighup: return "SIGHUP"
            case .sigsegv: return "SIGSEGV (crash)"
            case .sigabrt: return "SIGABRT (crash)"
            case .sigill: return "SIGILL (crash)"
            }
        }

        /// The signal sent to the dashboard, nil for keys.
        var signal: Int32? {
            switch self {
            case .q, .ctrlC: return nil
            case .sigterm: return SIGTERM
            case .sighup: return SIGHUP
            case .sigsegv: return SIGSEGV
            case .sigabrt: return SIGABRT
            case .sigill: return SIGILL
            }
        }

        var isCrash: Bool { self == .sigsegv || self == .sigabrt || self == .sigill }
    }

    @Test("quitting ends every client and restores the terminal", arguments: QuitWay.allCases)
    func quit(_ way: QuitWay) throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("c")
        try dashboard.waitFor("one client") { $0.clientRows.count == 1 }
        try dashboard.press("c")
        let screen = try dashboard.waitFor("two running clients that have sent") { screen in
            screen.clientRows.count == 2
                && screen.clientRows.allSatisfy { $0.state == "running" && $0.lastLine.contains("sent b'Hello") }
        }
        let pids = screen.clientRows.map(\.pid)
        try expectChildClients(pids, of: dashboard)
        // The dashboard did take the terminal: raw, no echo (so "the same after" means something).
        let during = TmuxSessionTests.flags(try dashboard.sttyNow())
        #expect(during.isSuperset(of: ["-icanon", "-echo"]), "\(during)")
        #expect(try dashboard.tmux.display("#{alternate_on}") == "1")
        // The leftover check does see live clients (so "none left" after quitting means something).
        #expect(dashboard.leftoverClients(Set(pids)).count == 3, "\(dashboard.leftoverClients(Set(pids)))")

        try quitAndExpectClean(dashboard, clients: Set(pids), by: way)
    }

    @Test("q while a step is blocked in select() (mode 1, no clients, no timeout) quits at once and cleanly")
    func quitWhileBlockedInStep() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("Space")
        try dashboard.waitFor("PAUSED") { $0.isPaused }
        try dashboard.press("Space")
        try dashboard.waitFor("the step blocked in select()") { $0.statusLine.hasSuffix("waiting in select()...") }
        let pressed = Rig.now()
        try quitAndExpectClean(dashboard, clients: [], by: .q)
        let took = Rig.now() - pressed
        #expect(took < 5, "quitting took \(took) s")
    }

    // MARK: - Terminal conditions

    @Test("NO_COLOR=1: the panes are drawn, without colour")
    func noColour() throws {
        let dashboard = try DashboardDriver(environment: ["NO_COLOR": "1"])
        defer { dashboard.tearDown() }
        try dashboard.start()
        try dashboard.press("c")
        let screen = try dashboard.waitFor("all six panes and a client") { $0.hasAllPanes && $0.clientRows.count == 1 }
        let attributed = try dashboard.tmux.captureWithAttributes()
        #expect(!Self.hasColour(attributed), "colour codes under NO_COLOR:\n\(attributed.joined(separator: "\n"))")
        try quitAndExpectClean(dashboard, clients: Set(screen.clientRows.map(\.pid)), by: .q)
    }

    @Test("stdout not a terminal (`selectscope > file`): exit 1, a message pointing at `selectscope server`, no escape codes in the file")
    func stdoutToFileFromProcess() throws {
        let binary = try Rig.requireBinary()
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("screen.txt")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let output = try FileHandle(forWritingTo: file)
        defer { try? output.close() }
        let errors = Pipe()

        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", String(try Rig.freePort()), "--interval", "0.3"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let ended = Rig.waitUntil(timeout: 10, interval: 0.02) { !process.isRunning }
        if !ended { process.terminate() }
        #expect(ended, "selectscope > file did not exit")
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1, "\(message)")
        #expect(message.contains("selectscope server"), "\(message)")
        #expect(message.contains("standard output"), "\(message)")
        let written = try Data(contentsOf: file)
        #expect(!written.contains(0x1B), "escape codes in the file: \(String(decoding: written, as: UTF8.self).debugDescription)")
        #expect(!message.utf8.contains(0x1B))
    }

    @Test("in a terminal: stdout to a file, TERM=dumb and TERM unset each exit 1 with a message, terminal untouched")
    func unusableTerminalInShell() throws {
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        let folder = try Rig.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("screen.txt")
        let port = String(try Rig.freePort())

        try dashboard.runExpectingExit(["--port", port], suffix: " > '\(file.path)'")
        #expect(try dashboard.waitForExit() == 1)
        try dashboard.runExpectingExit(["--port", port], prefix: "TERM=dumb ")
        #expect(try dashboard.waitForExit() == 1)
        try dashboard.runExpectingExit(["--port", port], prefix: "env -u TERM ")
        #expect(try dashboard.waitForExit() == 1)

        // Messages wrap at the pane's width: read the screen as one text.
        let text = try dashboard.screen().lines.joined()
        #expect(text.contains("standard output is not one"), "\(text)")
        #expect(text.contains("cannot draw on TERM=dumb"), "\(text)")
        #expect(text.contains("TERM is not set"), "\(text)")
        #expect(text.components(separatedBy: "selectscope server").count - 1 >= 3, "\(text)")
        let written = try Data(contentsOf: file)
        #expect(!written.contains(0x1B), "escape codes in the file")
        try expectTerminalRestored(dashboard)
    }

    @Test("a busy port: exit 1 with a message naming the port, terminal untouched")
    func busyPort() throws {
        let listener = try Rig.Listener()
        let dashboard = try DashboardDriver()
        defer { dashboard.tearDown() }
        try dashboard.runExpectingExit(["--host", "127.0.0.1", "--port", String(listener.port), "--interval", "0.3"])
        #expect(try dashboard.waitForExit() == 1)
        let screen = try dashboard.screen()
        // The message may wrap: read it as one text.
        let text = screen.lines.joined()
        #expect(text.contains("port \(listener.port)"), "\(screen)")
        #expect(text.contains("already in use"), "\(screen)")
        #expect(screen.pane("inputs") == nil)
        #expect(DashboardDriver.findDashboard(shell: dashboard.tmux.panePID ?? 0, port: listener.port) == nil)
        try expectTerminalRestored(dashboard)
    }

    // MARK: - Chinese

    @Test("--lang zh-TW: 練習1 and Chinese labels, every border in its column (wide characters count 2)")
    func chineseAligned() throws {
        let width = 100
        let height = 30
        let dashboard = try DashboardDriver(width: width, height: height)
        defer { dashboard.tearDown() }
        try dashboard.start(["--lang", "zh-TW"])
        try dashboard.press("c")
        let screen = try dashboard.waitFor("a running client, in Chinese") { screen in
            (screen.pane("用戶端") ?? []).contains { $0.firstMatch(of: #/^\s*\d+ sender\s+執行中 /#) != nil }
                && (screen.pane("紀錄") ?? []).contains { $0.contains("received b'Hello, world'") }
        }
        #expect(screen.lines[0].hasPrefix("模式 1  練習1 "), "\(screen)")
        #expect(screen.lines[1].hasSuffix("執行中") || screen.lines[1].contains("執行中  在 select()"), "\(screen)")
        for title in ["讀取檢查表 inputs", "寫入檢查表 outputs", "上次呼叫", "佇列 queues", "用戶端", "紀錄"] {
            #expect(screen.title(of: title) != nil, "no pane titled \(title):\n\(screen)")
        }
        #expect(screen.lines.last?.contains("? 說明") == true, "\(screen)")

        // The header's right-aligned address ends in the last column, as on every box row the
        // right border does.
        #expect(ScreenCellWidth.of(screen.lines[0]) == width, "header: \(screen.lines[0])")
        let top = try #require(screen.lines.firstIndex { $0.hasPrefix("┌") })
        let bottom = try #require(screen.lines.lastIndex { $0.hasPrefix("└") })
        let grid = screen.cells
        for y in top...bottom {
            #expect(ScreenCellWidth.of(screen.lines[y]) == width, "row \(y) is \(ScreenCellWidth.of(screen.lines[y])) wide: \(screen.lines[y])")
            #expect("│┐┤┘".contains(grid[y].last ?? ""), "row \(y) does not end with a border: \(screen.lines[y])")
            #expect("│┌├└".contains(grid[y].first ?? ""), "row \(y) does not start with a border: \(screen.lines[y])")
        }
        // The divider between the left panes and `上次呼叫` stays in its column down to the queues.
        let divider = try #require(grid[top].firstIndex(of: "┬"))
        let queues = try #require(screen.lines.firstIndex { $0.hasPrefix("├") && $0.contains("佇列 queues") })
        for y in (top + 1)..<queues {
            #expect(divider < grid[y].count && "│┤├┼".contains(grid[y][divider]), "row \(y): no divider in column \(divider): \(screen.lines[y])")
        }
        let pids = (screen.pane("用戶端") ?? []).compactMap { row in row.firstMatch(of: #/^\s*(\d+) sender/#).flatMap { pid_t($0.1) } }
        #expect(pids.count == 1, "\(screen)")
        try expectChildClients(pids, of: dashboard)
        try quitAndExpectClean(dashboard, clients: Set(pids), by: .q)
    }

    // MARK: - Helpers

    /// The clients are running processes, children of the dashboard, started as `selectscope client`.
    private func expectChildClients(_ pids: [pid_t], of dashboard: DashboardDriver, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for pid in pids {
            #expect(kill(pid, 0) == 0, "client \(pid) is not running", sourceLocation: sourceLocation)
            let stat = DashboardDriver.stat(pid)
            #expect(stat?.ppid == dashboard.pid, "client \(pid)'s parent is \(stat?.ppid ?? -1), not the dashboard \(dashboard.pid)", sourceLocation: sourceLocation)
            #expect(stat?.state != "Z", sourceLocation: sourceLocation)
            #expect(DashboardDriver.isClient(pid, port: dashboard.port), "\(DashboardDriver.cmdline(pid))", sourceLocation: sourceLocation)
        }
    }

    /// Presses space (paused) and waits for the call after `call` to come back; expects
    /// exactly one call to have been made.
    private func step(_ dashboard: DashboardDriver, after call: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> DashboardScreen {
        try dashboard.press("Space")
        let screen = try dashboard.waitFor("last call #\(call + 1) and PAUSED again") { screen in
            (screen.lastCall ?? 0) > call && screen.isPaused
        }
        try #require(screen.lastCall == call + 1, "one space made \((screen.lastCall ?? 0) - call) calls:\n\(screen)", sourceLocation: sourceLocation)
        return screen
    }

    /// Ends the dashboard `way`, then: it has exited (and been reaped), none of `clients` nor
    /// any `selectscope client … --port P` is left, and the terminal is as it was.
    private func quitAndExpectClean(_ dashboard: DashboardDriver, clients: Set<pid_t>, by way: QuitWay,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pid = dashboard.pid
        let clients = clients.union(dashboard.seenClientPIDs)
        switch way {
        case .q: try dashboard.press("q")
        case .ctrlC: try dashboard.press("C-c")
        default: #expect(kill(pid, way.signal!) == 0, sourceLocation: sourceLocation)
        }
        let status = try dashboard.waitForExit()
        if way.isCrash {
            #expect(status == 128 + way.signal!, "the dashboard ended by \(way.testDescription) with status \(status)", sourceLocation: sourceLocation)
        } else if let signal = way.signal {
            // SPEC §2 asks for a clean end, not a status: 0 (handled) or 128 + the signal.
            #expect(status == 0 || status == 128 + signal, "the dashboard ended by \(way.testDescription) with status \(status)", sourceLocation: sourceLocation)
        } else {
            #expect(status == 0, "the dashboard ended by \(way.testDescription) with status \(status)", sourceLocation: sourceLocation)
        }
        #expect(Rig.waitUntil(timeout: 5) { DashboardDriver.stat(pid) == nil }, "dashboard \(pid) still exists", sourceLocation: sourceLocation)
        if !way.isCrash {
            // The dashboard stops and reaps its clients before it exits: by the time the shell
            // prints its status none is left, not even a zombie handed to init (which the
            // clients' parent-death signal and init's reaping would otherwise hide a moment later).
            let atExit = dashboard.leftoverClients(clients)
            #expect(atExit.isEmpty, "clients the dashboard did not reap before exiting (\(way.testDescription)): \(atExit)", sourceLocation: sourceLocation)
        }
        var left: [String] = []
        let clean = Rig.waitUntil(timeout: 5, interval: 0.05) {
            left = dashboard.leftoverClients(clients, adoptedZombiesAreGone: way.isCrash)
            return left.isEmpty
        }
        #expect(clean, "clients left after \(way.testDescription): \(left)", sourceLocation: sourceLocation)
        try expectTerminalRestored(dashboard, sourceLocation: sourceLocation)
    }

    /// `stty -a` reads as before the dashboard (window size aside), the alternate screen is
    /// left, the cursor shows, and the shell's prompt is back on a screen without panes.
    private func expectTerminalRestored(_ dashboard: DashboardDriver, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let after = try dashboard.sttyNow()
        #expect(DashboardDriver.withoutSize(after) == DashboardDriver.withoutSize(dashboard.sttyBefore),
                "stty -a differs:\nbefore:\n\(dashboard.sttyBefore)\nafter:\n\(after)", sourceLocation: sourceLocation)
        #expect(try dashboard.tmux.display("#{alternate_on}") == "0", "still on the alternate screen", sourceLocation: sourceLocation)
        #expect(try dashboard.tmux.display("#{cursor_flag}") == "1", "the cursor is still hidden", sourceLocation: sourceLocation)
        let screen = try dashboard.waitFor("the shell's prompt back", timeout: 5) { screen in
            let last = screen.lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
            return last == "$" || last == "#" || last.hasSuffix("$ ") || last.hasSuffix("# ") || last.hasSuffix("$") || last.hasSuffix("#")
        }
        #expect(!screen.hasAllPanes && screen.pane("inputs") == nil, "the dashboard is still drawn:\n\(screen)", sourceLocation: sourceLocation)
    }

    /// Colour in SGR sequences (`ESC[…m`) of `capture-pane -e`: foreground/background 30–37,
    /// 40–47, 90–97, 100–107, or 38/48 (256 colours, RGB). Defaults (39, 49) and attributes
    /// (bold, dim, reverse…) are not colour.
    static func hasColour(_ lines: [String]) -> Bool {
        for line in lines {
            for match in line.matches(of: #/\u{1B}\[([0-9;:]*)m/#) {
                for parameter in match.1.split(whereSeparator: { $0 == ";" || $0 == ":" }) {
                    guard let value = Int(parameter) else { continue }
                    if (30...38).contains(value) || (40...48).contains(value) || (90...97).contains(value) || (100...107).contains(value) {
                        return true
                    }
                }
            }
        }
        return false
    }
}
