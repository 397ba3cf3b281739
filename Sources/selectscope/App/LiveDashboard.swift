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
    private let supervisor: ClientSupervisor
    private let session: TerminalSession
    private let serverDone = ServerExit()
    private var pacer = FramePacer()
    private var dirty = true
    private var showHelp = false
    private var scroll = 0
    private var view = DashboardView.lastCall
    private var clientInterval: Double
    private var status: String?
    private var snapshot = ServerSnapshot()
    private var registeredPIDs: Set<Int32> = []
    /// Every call's sets, appended by the server thread, copied by the screen (timeline view).
    private let history = SharedHistory()

    /// Opens everything a run needs. Throws a message for the user (busy port, no terminal)
    /// before the screen is touched.
    init(options: Options) throws {
        self.options = options
        self.clientInterval = options.clientInterval
        try TerminalSession.checkUsable()
        FileLimits.raiseToHardLimit()
        let server = try SelectServer(config: options.server)
        host = try ServerHost(server: server)
        let history = self.history
        host.observe { history.append($0) }
        if let path = options.record {
            let recorder = try TraceRecorder(path: path, listenAddress: server.listenAddress)
            host.observe { recorder.write($0) }
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
        return failure
    }

    private func draw() {
        pacer.willDraw()
        host.takeChange()
        snapshot = host.snapshot()
        if let error = host.takeCommandError() { status = error }
        let size = session.size
        var model = DashboardModel(
            server: snapshot, clients: supervisor.rows, showHelp: showHelp, clientInterval: clientInterval,
            status: status, asciiOnly: !session.isUTF8, scroll: scroll)
        model.language = options.language
        model.view = view
        model.history = history.copy()
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        pacer.drew()
        dirty = false
    }

    /// The language messages are written in: English where the terminal cannot draw Chinese.
    private var screenLanguage: Language { session.isUTF8 ? options.language : .en }

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
            status = (supervisor.closeNewest().map { .closingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToClose).text(screenLanguage)
        case .resetNewestClient:
            status = (supervisor.resetNewest().map { .resettingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToReset).text(screenLanguage)
        case .pauseOrStep:
            host.send(.step)
        case .resume:
            host.send(.resume)
        case .nextBackend:
            host.send(.nextBackend)
        case .fasterClients:
            clientInterval = ClientIntervals.faster(than: clientInterval)
            status = StatusMessage.clientInterval(clientInterval).text(screenLanguage)
        case .slowerClients:
            clientInterval = ClientIntervals.slower(than: clientInterval)
            status = StatusMessage.clientInterval(clientInterval).text(screenLanguage)
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
            status = StatusMessage.startedClient(kind: kind.rawValue, pid: row.pid).text(screenLanguage)
        } catch {
            status = StatusMessage.couldNotStartClient("\(error)").text(screenLanguage)
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

/// The call history shared between the server thread (which appends each record) and the
/// screen (which copies it at frame time).
final class SharedHistory: Sendable {
    private let history = Mutex(CallHistory())

    func append(_ record: StepRecord) { history.withLock { $0.append(record) } }
    func copy() -> CallHistory { history.withLock { $0 } }
}

/// How the server thread ended, for the screen thread to see.
final class ServerExit: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var finished = false
    private var failure: Error?

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    func finish(_ error: Error?) {
        pthread_mutex_lock(&mutex)
        finished = true
        failure = error
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }

    var error: Error? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return failure
    }

    func wait(seconds: Double) {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += Int(seconds)
        pthread_mutex_lock(&mutex)
        while !finished {
            if pthread_cond_timedwait(&condition, &mutex, &deadline) != 0 { break }
        }
        pthread_mutex_unlock(&mutex)
    }
}
