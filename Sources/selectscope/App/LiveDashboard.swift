import Dashboard
import SelectCore
import Clients
import Terminal
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The live dashboard: the server loop on its own thread, this thread drawing snapshots at a
/// bounded frame rate and turning keys into commands and client processes.
///
/// With nothing happening both threads sleep in the kernel: the server in its select(), this
/// one in poll() on the keyboard, the server's change pipe and the clients' output pipes.
final class LiveDashboard {
    struct Options {
        var server: ServerConfig
        var record: String?
        var language: Language
        var clientInterval = 3.0
        var breakpoints: Set<Breakpoint> = []
    }

    private let options: Options
    private let host: ServerHost
    /// The loop's records and status; the snapshot is built from them on this thread.
    private let feed: LiveFeed
    /// Rung when records pile up between frames: applied then, not all at the next frame.
    private let backlog: Doorbell
    private let supervisor: ClientSupervisor
    private let session: TerminalSession
    private let serverDone: ServerExit
    private let recorder: TraceRecorder?
    /// Set by the recorder's writer thread the moment a write fails; shown on every frame.
    private let recordingFailure = SharedText()
    private var pacer = FramePacer()
    private var dirty = true
    /// The screen's whole state; only `DashboardState.update` changes it.
    private var state: DashboardState
    private var registeredPIDs: Set<Int32> = []
    /// Local ports of the clients, found once each (see `ClientPorts`).
    private var clientPorts: [Int32: Int] = [:]
    /// When the frame drawn goes stale on its own (see `staleAt`).
    private var tickDue: Double?
    /// The last calls, for the timeline view: filled on this thread from the feed's records.
    private var history = CallHistory()

    /// Opens everything a run needs. Throws a message for the user (busy port, no terminal)
    /// before the screen is touched.
    init(options: Options) throws {
        self.options = options
        state = DashboardState(language: options.language, clientInterval: options.clientInterval, breakpoints: options.breakpoints)
        try TerminalSession.checkUsable()
        FileLimits.raiseToHardLimit()
        let server = try SelectServer(config: options.server)
        host = try ServerHost(server: server)
        serverDone = try ServerExit()
        backlog = try Doorbell()
        feed = host.watch(logCapacity: options.server.logCapacity, backlog: backlog)
        if let path = options.record {
            let failure = recordingFailure
            let recorder = try TraceRecorder(path: path, listenAddress: server.listenAddress) { [weak host] error in
                failure.text.withLock { $0 = "recording stopped: \(error)" }
                host?.wakeScreen()
            }
            host.observe { recorder.write($0) }
            self.recorder = recorder
        } else {
            recorder = nil
        }
        if !options.breakpoints.isEmpty { host.send(.setBreakpoints(options.breakpoints)) }
        let connectHost = server.listenAddress.host == "0.0.0.0" || server.listenAddress.host == "::" ? "localhost" : server.listenAddress.host
        supervisor = ClientSupervisor(executable: ClientSupervisor.currentExecutable(), host: connectHost, port: server.listenAddress.port)
        session = try TerminalSession()
        TerminalGuard.setCrashHook(nil)
    }

    /// Runs until `q`, Ctrl-C or a quit signal. Returns a message to print after the terminal
    /// is restored, if the run ended badly.
    func run() -> String? {
        let done = serverDone
        host.start { error in done.finish(error) }
        // The first frame shows the first call blocked on the listener, never a blank pane:
        // wait (briefly) for the server to publish it.
        _ = session.wait(forInputOr: [host.changeFD], timeout: 1)
        var failure: String?
        loop: while true {
            if let error = serverDone.error {
                failure = "the server stopped: \(error)"
                break
            }
            if dirty && pacer.delay() == 0 { draw() }

            var watched = supervisor.outputFDs + [backlog.fd]
            if !dirty { watched.append(host.changeFD) }
            var timeout: Double? = dirty ? pacer.delay() : (supervisor.hasUnreaped || missingPorts ? 0.05 : nil)
            if !dirty, let due = tickDue {
                let tick = max(0, due - Posix.monotonicSeconds())
                timeout = min(timeout ?? tick, tick)
            }
            let woke = session.wait(forInputOr: watched, timeout: timeout)
            if !woke.signals.isEmpty || woke.hangup { break }
            if woke.ready.contains(host.changeFD) { dirty = true }
            if woke.ready.contains(backlog.fd) {
                backlog.answer()
                feed.catchUp(eachOfLast: history.capacity) { [self] in history.append($0) }
            }
            if supervisor.poll() {
                syncCrashHookChildren()
                dirty = true
            }
            if missingPorts { findPorts() }
            if !dirty, let due = tickDue, Posix.monotonicSeconds() >= due { dirty = true }
            _ = state.apply(.clock(Posix.monotonicSeconds()))
            let inputs = session.readKeys()
            if !inputs.isEmpty {
                // Keys typed together act in order, each on the state the one before left:
                // the state holds the mode asked for, so `2c` starts mode 2's client.
                observe()
            }
            for input in inputs {
                dirty = true
                if !perform(state.apply(input, size: { session.size })) { break loop }
            }
        }
        shutDown()
        if let recorder, !recorder.finish(within: 2) {
            let message = recordingFailure.text.withLock { $0 } ?? "recording incomplete: \(options.record ?? "") took nothing for 2 s"
            failure = failure.map { "\($0); \(message)" } ?? message
        }
        return failure
    }

    private func staleAt(_ drawn: DashboardModel) -> Double? {
        state.frameStaleAt(drawn)
    }

    private var missingPorts: Bool {
        supervisor.rows.contains { $0.state == .running && clientPorts[$0.pid] == nil }
    }

    private func findPorts() {
        for row in supervisor.rows where row.state == .running && clientPorts[row.pid] == nil {
            if let port = ClientPorts.localPort(of: row.pid) {
                clientPorts[row.pid] = port
                dirty = true
            }
        }
    }

    /// Feeds the state a fresh snapshot and the client rows.
    private func observe() {
        host.takeChange()
        let rows = supervisor.rows.map { row -> ClientRow in
            var row = row
            row.localPort = clientPorts[row.pid]
            return row
        }
        _ = state.apply(.clock(Posix.monotonicSeconds()))
        _ = state.apply(.observed(feed.snapshot(eachOfLast: history.capacity) { [self] in history.append($0) }, clients: rows))
        if let error = host.takeCommandError() { _ = state.apply(.status(error)) }
        if let hit = host.takeBreakpointHit() { _ = state.apply(.breakpointHit(hit)) }
    }

    private func draw() {
        pacer.willDraw()
        observe()
        let size = session.size
        _ = state.apply(.resized(width: size.width, height: size.height))
        var model = state.model(asciiOnly: !session.isUTF8)
        // A recording that stopped stays on screen whatever else the status line says.
        if let stopped = recordingFailure.text.withLock({ $0 }) {
            model.status = [stopped, model.status].compactMap { $0 }.joined(separator: " · ")
        }
        model.history = history
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        tickDue = staleAt(model)
        pacer.drew()
        dirty = false
    }

    /// The language messages are written in: English where the terminal cannot draw Chinese.
    private var screenLanguage: Language { session.isUTF8 ? options.language : .en }

    /// Carries out what the state asked for; false to quit.
    private func perform(_ effects: [DashboardEffect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return false
            case .server(let command):
                host.send(command)
            case .spawnClient(let kind, let interval):
                spawn(kind, interval: interval)
            case .closeClient(let pid):
                let row = supervisor.close(pid: pid)
                say((row.map { .closingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToClose).text(screenLanguage))
            case .resetClient(let pid):
                let row = supervisor.reset(pid: pid)
                say((row.map { .resettingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToReset).text(screenLanguage))
            case .scheduleReplayStep, .showThread:
                break
            }
        }
        return true
    }

    private func say(_ text: String) {
        _ = state.apply(.status(text))
    }

    private func spawn(_ kind: ClientKind, interval: Double) {
        do {
            let row = try supervisor.spawn(kind: kind, interval: interval)
            syncCrashHookChildren()
            say(StatusMessage.startedClient(kind: kind.rawValue, pid: row.pid).text(screenLanguage))
        } catch {
            say(StatusMessage.couldNotStartClient("\(error)").text(screenLanguage))
        }
    }

    /// The crash handler kills the registered pids: keep the list equal to the live clients.
    private func syncCrashHookChildren() {
        let running = Set(supervisor.runningPIDs)
        for pid in registeredPIDs.subtracting(running) { TerminalGuard.unregisterChild(pid) }
        for pid in running.subtracting(registeredPIDs) { _ = TerminalGuard.registerChild(pid) }
        registeredPIDs = running
    }

    private func shutDown() {
        supervisor.stopAll()
        syncCrashHookChildren()
        host.send(.stop)
        serverDone.wait(seconds: 2)
        session.end()
    }
}

/// A line one thread sets and another shows.
final class SharedText: Sendable {
    let text = Mutex<String?>(nil)
}

/// How the server thread ended, for the screen thread to see.
final class ServerExit: Sendable {
    private struct State {
        var finished = false
        var failure: Error?
    }

    private let state = Mutex(State())
    /// Written once by `finish`, so `wait` can sleep in poll() with a deadline.
    private let finishedPipe: (read: Int32, write: Int32)

    init() throws {
        finishedPipe = try Posix.makePipe()
    }

    deinit {
        Posix.close(finishedPipe.read)
        Posix.close(finishedPipe.write)
    }

    func finish(_ error: Error?) {
        state.withLock { state in
            state.finished = true
            state.failure = error
        }
        var byte = UInt8(ascii: "f")
        _ = Glibc.write(finishedPipe.write, &byte, 1)
    }

    var error: Error? {
        state.withLock { $0.failure }
    }

    /// Waits up to `seconds` for `finish`.
    func wait(seconds: Double) {
        let deadline = Posix.monotonicSeconds() + seconds
        while !state.withLock({ $0.finished }) {
            let left = deadline - Posix.monotonicSeconds()
            if left <= 0 { return }
            var descriptor = pollfd(fd: finishedPipe.read, events: Int16(POLLIN), revents: 0)
            _ = Glibc.poll(&descriptor, 1, Int32(left * 1000) + 1)
        }
    }
}
