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
    }

    private let options: Options
    private let host: ServerHost
    /// The loop's records and status; the snapshot is built from them on this thread.
    private let feed: LiveFeed
    private let supervisor: ClientSupervisor
    private let session: TerminalSession
    private let serverDone: ServerExit
    private let recorder: TraceRecorder?
    /// Set by the recorder's writer thread the moment a write fails; shown on every frame.
    private let recordingFailure = SharedText()
    private var pacer = FramePacer()
    private var dirty = true
    private var showHelp = false
    private var scroll = 0
    private var view = DashboardView.lastCall
    private var clientInterval: Double
    private var status: String?
    private var snapshot = ServerSnapshot()
    private var registeredPIDs: Set<Int32> = []

    /// Opens everything a run needs. Throws a message for the user (busy port, no terminal)
    /// before the screen is touched.
    init(options: Options) throws {
        self.options = options
        self.clientInterval = options.clientInterval
        try TerminalSession.checkUsable()
        FileLimits.raiseToHardLimit()
        let server = try SelectServer(config: options.server)
        host = try ServerHost(server: server)
        serverDone = try ServerExit()
        feed = host.watch(logCapacity: options.server.logCapacity)
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
        var failure: String?
        loop: while true {
            if let error = serverDone.error {
                failure = "the server stopped: \(error)"
                break
            }
            if dirty && pacer.delay() == 0 { draw() }

            var watched = supervisor.outputFDs
            if !dirty { watched.append(host.changeFD) }
            let timeout: Double? = dirty ? pacer.delay() : (supervisor.hasUnreaped ? 0.05 : nil)
            let woke = session.wait(forInputOr: watched, timeout: timeout)
            if !woke.signals.isEmpty || woke.hangup { break }
            if woke.ready.contains(host.changeFD) { dirty = true }
            if supervisor.poll() {
                syncCrashHookChildren()
                dirty = true
            }
            for input in session.readKeys() {
                switch input {
                case .resize:
                    dirty = true
                case .key(let key):
                    if !handle(key) { break loop }
                }
            }
        }
        shutDown()
        if let recorder, !recorder.finish(within: 2) {
            let message = recordingFailure.text.withLock { $0 } ?? "recording incomplete: \(options.record ?? "") took nothing for 2 s"
            failure = failure.map { "\($0); \(message)" } ?? message
        }
        return failure
    }

    private func draw() {
        pacer.willDraw()
        host.takeChange()
        snapshot = feed.snapshot()
        if let error = host.takeCommandError() { status = error }
        let size = session.size
        // A recording that stopped stays on screen whatever else the status line says.
        let banner = [recordingFailure.text.withLock { $0 }, status].compactMap { $0 }.joined(separator: " · ")
        var model = DashboardModel(
            server: snapshot, clients: supervisor.rows, showHelp: showHelp, clientInterval: clientInterval,
            status: banner.isEmpty ? nil : banner, asciiOnly: !session.isUTF8, scroll: scroll)
        model.language = options.language
        model.view = view
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        pacer.drew()
        dirty = false
    }

    /// Carries out a key; false to quit.
    private func handle(_ key: Key) -> Bool {
        dirty = true
        if key == .controlC { return false }
        if showHelp && (key == .escape || key == .character("?") || key == .character("q")) {
            showHelp = false
            return true
        }
        guard let command = KeyTable.command(for: key) else { return true }
        switch command {
        case .quit:
            return false
        case .switchMode(let mode):
            host.send(.switchMode(mode))
            status = nil
        case .spawnModeClient:
            spawn(snapshot.mode.seedClientKind)
        case .spawnClient(let kind):
            spawn(kind)
        case .closeNewestClient:
            status = supervisor.closeNewest().map { "closing client \($0.pid) (\($0.kind.rawValue))" } ?? "no client to close"
        case .resetNewestClient:
            status = supervisor.resetNewest().map { "resetting client \($0.pid) (\($0.kind.rawValue)): RST" } ?? "no client to reset"
        case .pauseOrStep:
            host.send(.step)
        case .resume:
            host.send(.resume)
        case .nextBackend:
            host.send(.nextBackend)
        case .fasterClients:
            clientInterval = ClientIntervals.faster(than: clientInterval)
            status = "new clients send every \(clientInterval) s"
        case .slowerClients:
            clientInterval = ClientIntervals.slower(than: clientInterval)
            status = "new clients send every \(clientInterval) s"
        case .toggleHelp:
            showHelp.toggle()
        case .cycleView:
            view = view.next
        case .scrollUp:
            scroll = max(0, scroll - 1)
        case .scrollDown:
            scroll += 1
        }
        return true
    }

    private func spawn(_ kind: ClientKind) {
        do {
            let row = try supervisor.spawn(kind: kind, interval: clientInterval)
            syncCrashHookChildren()
            status = "started \(kind.rawValue) client, pid \(row.pid)"
        } catch {
            status = "could not start a client: \(error)"
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
