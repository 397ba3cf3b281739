import Clients
import Dashboard
import Foundation
import SelectCore
import Terminal
import Tracer
#if canImport(Glibc)
import Glibc
#endif

/// `selectscope watch`: the dashboard on a traced program. The tracer's records go into a
/// `LiveFeed`, the same channel the live dashboard's server loop feeds, so one reducer builds
/// the screen's state from every record since the start (nothing older than a window is lost);
/// keys go through `DashboardState.update`, and this class carries out the effects on the
/// tracer (hold, step, resume) and on client processes started against the program.
final class WatchDashboard {
    struct Options {
        var target: TraceTarget
        var tracer: TracerOptions
        var record: String?
        var language: Language
        var commandLine: String
    }

    private let options: Options
    private let session: TerminalSession
    private let tracer: Tracer
    private let shared = SharedState()
    /// The tracer's records and status; the snapshot is built from them on this thread.
    private let feed = LiveFeed(traced: true)
    /// Every call's sets, for the timeline view.
    /// The last calls, for the timeline view: filled on this thread from the feed's records.
    private var history = CallHistory()
    private let outputRead: Int32
    private var outputTail = ""
    private var pid: Int32 = 0
    private var paused = false
    /// The screen's whole state; only `DashboardState.update` changes it.
    private var state: DashboardState
    /// How the program ended, once it has: stays on the status line.
    private var endedText: String?
    private var drawnGeneration = -1
    private var pacer = FramePacer()
    /// Clients started against the program's listening address, once it is known.
    private var supervisor: ClientSupervisor?
    private var registeredPIDs: Set<Int32> = []
    private var clientPorts: [Int32: Int] = [:]

    /// What the tracer's thread hands to the screen's besides the records: the listening
    /// address, the call a paused thread is held at, and a change counter.
    final class SharedState: @unchecked Sendable {
        private let lock = NSLock()
        private var listenAddress: PeerAddress?
        private var heldCall: String?
        private var records = 0
        private(set) var generation = 0
        private var recorder: LineWriter?
        private var wroteFirst = false

        func attach(recorder: LineWriter?) { recorder.map { r in lock.withLock { self.recorder = r } } }

        func add(_ record: StepRecord, to feed: LiveFeed) {
            feed.publish(record)
            lock.withLock {
                records += 1
                if heldCall != nil {
                    heldCall = nil
                    feed.updateStatus { $0.listsBeforeNextCall = nil }
                }
                generation += 1
                if let recorder {
                    recorder.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
                    wroteFirst = true
                    recorder.flush()
                }
            }
        }

        func notice(_ notice: TracerNotice, feed: LiveFeed) {
            lock.withLock {
                switch notice {
                case .listening(_, _, let address):
                    guard listenAddress == nil, let address else { return }
                    listenAddress = address
                    feed.updateStatus { $0.listenAddress = address }
                case .held(_, _, let call, let inputs, let outputs):
                    heldCall = call
                    // The lists the held call is given, shown until its record arrives.
                    let lists = ListsBeforeCall(afterSeq: records, inputs: inputs, outputs: outputs)
                    feed.updateStatus { $0.listsBeforeNextCall = lists }
                default:
                    return
                }
                generation += 1
            }
        }

        var listen: PeerAddress? { lock.withLock { listenAddress } }
        var held: String? { lock.withLock { heldCall } }
        var changes: Int { lock.withLock { generation } }
    }

    init(options: Options) throws {
        self.options = options
        state = DashboardState(language: options.language)
        try TerminalSession.checkUsable()
        var tracerOptions = options.tracer
        // A started program's output goes to a pipe shown on the status line, never over the screen.
        var fds: [Int32] = [-1, -1]
        if case .launch = options.target {
            guard pipe(&fds) == 0 else { throw SystemError("pipe", errno: errno) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            // The child's copy must survive exec: only its end loses O_CLOEXEC, in the child (dup2).
            tracerOptions.outputFD = fds[1]
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        }
        outputRead = fds[0]
        tracer = Tracer(target: options.target, options: tracerOptions)
        if let path = options.record { shared.attach(recorder: try LineWriter.open(path: path)) }
        let shared = self.shared, feed = self.feed
        do {
            pid = try tracer.start(onRecord: { shared.add($0, to: feed) },
                                   onNotice: { shared.notice($0, feed: feed) })
        } catch {
            if fds[0] >= 0 { close(fds[0]); close(fds[1]) }
            throw error
        }
        if fds[1] >= 0 { close(fds[1]) }
        session = try TerminalSession()
    }

    /// Runs until q or a quit signal; returns how the traced program ended, for after the
    /// terminal is restored.
    func run() -> String {
        var ended: TraceEnd?
        let endBox = EndBox()
        let tracer = self.tracer
        let waiter = Thread { endBox.set(tracer.waitForEnd()) }
        waiter.start()
        var dirty = true
        loop: while true {
            if ended == nil, let end = endBox.value {
                ended = end
                endedText = Self.describe(end, pid: pid) + " — q quits"
                dirty = true
            }
            if shared.changes != drawnGeneration { dirty = true }
            if dirty && pacer.delay() == 0 {
                draw()
                dirty = false
            }
            var watched = outputRead >= 0 ? [outputRead] : []
            watched += supervisor?.outputFDs ?? []
            let woke = session.wait(forInputOr: watched, timeout: dirty ? max(pacer.delay(), 0.005) : 0.05)
            if !woke.signals.isEmpty || woke.hangup { break }
            if woke.ready.contains(outputRead) && readOutput() { dirty = true }
            if supervisor?.poll() == true {
                syncCrashHookChildren()
                dirty = true
            }
            if findPorts() { dirty = true }
            _ = state.apply(.clock(Posix.monotonicSeconds()))
            let inputs = session.readKeys()
            if !inputs.isEmpty { observe() }
            for input in inputs {
                dirty = true
                if !perform(state.apply(input, size: { session.size })) { break loop }
            }
        }
        supervisor?.stopAll()
        syncCrashHookChildren()
        session.end()
        if ended == nil {
            tracer.setPaused(false)
            tracer.requestStop()
            ended = endBox.wait()
        }
        return Self.describe(ended!, pid: pid)
    }

    static func describe(_ end: TraceEnd, pid: Int32) -> String {
        switch end {
        case .programEnded(let how): return "pid \(pid) \(how)"
        case .killed: return "pid \(pid) and everything it started were killed"
        case .detached: return "detached from pid \(pid); it keeps running"
        case .attachedEnded(let how): return "pid \(pid) \(how) while traced"
        }
    }

    /// Carries out what the state asked for; false to quit. A traced program's mode and
    /// backend are its own, and the tracer has no breakpoints: those effects only say so.
    private func perform(_ effects: [DashboardEffect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return false
            case .server(.step):
                if paused {
                    tracer.step()
                    say("step: one call runs")
                } else {
                    paused = true
                    tracer.setPaused(true)
                    say("pausing at the program's next readiness call")
                }
            case .server(.resume):
                paused = false
                tracer.setPaused(false)
            case .server(.switchMode), .server(.switchBackend), .server(.nextBackend):
                state.requestedMode = nil
                say("a traced program's mode and backend are its own")
            case .server(.setBreakpoints):
                // The chooser shows none set: none would stop the program.
                state.breakpoints = []
                say("breakpoints need the dashboard's own server; watch pauses with space")
            case .server(.stop), .scheduleReplayStep, .showThread:
                break
            case .spawnClient(let kind, let interval):
                spawn(kind, interval: interval)
            case .closeClient(let pid):
                let row = supervisor?.close(pid: pid)
                say((row.map { .closingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToClose).text(screenLanguage))
            case .resetClient(let pid):
                let row = supervisor?.reset(pid: pid)
                say((row.map { .resettingClient(pid: $0.pid, kind: $0.kind.rawValue) } ?? StatusMessage.noClientToReset).text(screenLanguage))
            }
        }
        return true
    }

    private var screenLanguage: Language { session.isUTF8 ? options.language : .en }

    private func say(_ text: String) {
        _ = state.apply(.status(text))
    }

    /// Starts a client process against the program's listening address, once the tracer has
    /// seen the program listen.
    private func spawn(_ kind: ClientKind, interval: Double) {
        guard let address = shared.listen else {
            say("no listening address seen yet: start clients from another terminal")
            return
        }
        if supervisor == nil {
            let host = address.host == "0.0.0.0" || address.host == "::" || address.host.isEmpty ? "localhost" : address.host
            supervisor = ClientSupervisor(executable: ClientSupervisor.currentExecutable(), host: host, port: address.port)
        }
        do {
            let row = try supervisor!.spawn(kind: kind, interval: interval)
            syncCrashHookChildren()
            say(StatusMessage.startedClient(kind: kind.rawValue, pid: row.pid).text(screenLanguage))
        } catch {
            say(StatusMessage.couldNotStartClient("\(error)").text(screenLanguage))
        }
    }

    /// Local ports of the running clients, found once each; true when one was found.
    private func findPorts() -> Bool {
        var found = false
        for row in supervisor?.rows ?? [] where row.state == .running && clientPorts[row.pid] == nil {
            if let port = ClientPorts.localPort(of: row.pid) {
                clientPorts[row.pid] = port
                found = true
            }
        }
        return found
    }

    /// The crash handler kills the registered pids: keep the list equal to the live clients.
    private func syncCrashHookChildren() {
        let running = Set(supervisor?.runningPIDs ?? [])
        for pid in registeredPIDs.subtracting(running) { TerminalGuard.unregisterChild(pid) }
        for pid in running.subtracting(registeredPIDs) { _ = TerminalGuard.registerChild(pid) }
        registeredPIDs = running
    }

    private func readOutput() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var got = false
        while true {
            let count = read(outputRead, &buffer, buffer.count)
            if count <= 0 { break }
            outputTail += String(decoding: buffer[0..<count], as: UTF8.self)
            got = true
        }
        if outputTail.count > 4096 { outputTail = String(outputTail.suffix(2048)) }
        return got
    }

    /// Feeds the state a fresh snapshot (the feed's records since the last frame, applied to
    /// the one reducer) and the client rows.
    private func observe() {
        drawnGeneration = shared.changes
        let runState: RunState = paused ? (tracer.heldThreads > 0 ? .paused : .stepping) : .running
        let kernel = sampleKernelQueues()
        feed.updateStatus { status in
            status.runState = runState
            if let kernel { status.kernel = kernel }
        }
        let rows = (supervisor?.rows ?? []).map { row -> ClientRow in
            var row = row
            row.localPort = clientPorts[row.pid]
            return row
        }
        _ = state.apply(.clock(Posix.monotonicSeconds()))
        _ = state.apply(.observed(feed.snapshot { [self] in history.append($0) }, clients: rows))
    }

    private func draw() {
        pacer.willDraw()
        observe()
        let size = session.size
        _ = state.apply(.resized(width: size.width, height: size.height))
        var model = state.model(asciiOnly: !session.isUTF8)
        let lastLine = outputTail.split(separator: "\n").last.map(String.init)
        // The state first: what a key just did, then the program's own output.
        var line = "traced: pid \(pid)"
        if paused { line += tracer.heldThreads > 0 ? " · held at \(shared.held ?? "its call")" : " · pausing" }
        if let endedText { line += " · \(endedText)" }
        if let status = model.status { line += " · \(status)" }
        // The program's output has a pane from 100 columns, or as the chosen view.
        let outputShown = size.width >= Layout.outputBesideQueuesWidth || model.view == .output
        if let lastLine, !outputShown { line += " · output: \(lastLine)" }
        model.status = line
        model.program = "pid \(pid)  \(options.commandLine)"
        model.programOutput = ProgramOutputPane.lines(of: outputTail, limit: 200)
        model.history = history
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        pacer.drew()
    }

    private var lastQueueSample = 0.0

    /// The kernel's unread and unsent bytes per connection, at most 4 times a second; nil
    /// between samples (the last one stays published).
    private func sampleKernelQueues() -> KernelSample? {
        let now = Posix.monotonicSeconds()
        guard now - lastQueueSample >= 0.25 else { return nil }
        lastQueueSample = now
        let depths = TracedKernelQueues.sample(pid: state.server.lastRecord?.origin?.pid ?? pid, fds: state.server.connections.map(\.fd))
        var sample = KernelSample()
        sample.time = now
        for (fd, depth) in depths { sample.connections[fd] = KernelSample.Queues(unread: depth.unread, unsent: depth.unsent) }
        return sample
    }

    /// The tracer's end, handed from the thread waiting for it.
    final class EndBox: @unchecked Sendable {
        private let condition = NSCondition()
        private var end: TraceEnd?
        func set(_ value: TraceEnd) {
            condition.lock()
            end = value
            condition.broadcast()
            condition.unlock()
        }
        var value: TraceEnd? {
            condition.lock()
            defer { condition.unlock() }
            return end
        }
        func wait() -> TraceEnd {
            condition.lock()
            defer { condition.unlock() }
            while end == nil { condition.wait() }
            return end!
        }
    }
}
