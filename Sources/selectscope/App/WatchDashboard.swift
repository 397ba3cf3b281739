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
        var breakpoints: Set<Breakpoint> = []
    }

    private let options: Options
    private let session: TerminalSession
    private let tracer: Tracer
    private let shared = SharedState()
    /// The tracer's records and status, a feed per loop thread; the snapshot is built from
    /// them on this thread.
    /// Rung when records pile up between frames: applied then, not all at the next frame.
    private let backlog: Doorbell
    private let feeds: LoopThreadFeeds
    /// The thread whose loop is shown (`t`); nil: the accept loop, or the first caller.
    private var shownThread: Int32?
    /// The last calls of each loop thread, for the timeline view: filled on this thread
    /// from the feeds' records.
    private var histories: [Int32: CallHistory] = [:]
    /// A started program's stdout and stderr (an attached one's stay where they were).
    private var output: ProgramOutput
    private var pid: Int32 = 0
    private var paused = false
    /// The screen's whole state; only `DashboardState.update` changes it.
    private var state: DashboardState
    /// How the program ended, once it has: stays on the status line.
    private var endedText: String?
    private var drawnGeneration = -1
    /// When the frame drawn last goes stale by itself (the call in flight ticks).
    private var tickDue: Double?
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
        private var breakpointHit: BreakpointHit?
        /// What the screen keeps saying about the program: that it forked away, or that it
        /// has not listened (until it does).
        private var forkNote: String?
        private var silentNote: String?
        private var followed: Int32?

        func attach(recorder: LineWriter?) { recorder.map { r in lock.withLock { self.recorder = r } } }

        func add(_ record: StepRecord, to feeds: LoopThreadFeeds) {
            feeds.publish(record)
            lock.withLock {
                records += 1
                if heldCall != nil {
                    heldCall = nil
                    feeds.updateStatus(of: record.origin?.tid ?? 0) { $0.listsBeforeNextCall = nil }
                }
                generation += 1
                if let recorder {
                    recorder.appendLine(TraceEncoder.line(for: record, listen: wroteFirst ? nil : listenAddress))
                    wroteFirst = true
                    recorder.flush()
                }
            }
        }

        func notice(_ notice: TracerNotice, feeds: LoopThreadFeeds) {
            lock.withLock {
                switch notice {
                case .listening(_, let fd, let address):
                    guard listenAddress == nil, let address else { return }
                    listenAddress = address
                    feeds.updateStatus {
                        $0.listenAddress = address
                        $0.listener = fd
                    }
                case .held(_, let tid, let call, let inputs, let outputs):
                    heldCall = call
                    // The lists the held call is given, shown until its record arrives.
                    let lists = ListsBeforeCall(afterSeq: records, inputs: inputs, outputs: outputs)
                    feeds.updateStatus(of: tid) {
                        $0.listsBeforeNextCall = lists
                        $0.inFlight = nil
                    }
                case .callInFlight(_, let tid, let call, let inputs, let outputs):
                    // Blocked in it now: what it was given, and since when (SPEC §6).
                    let lists = ListsBeforeCall(afterSeq: records, inputs: inputs, outputs: outputs)
                    feeds.updateStatus(of: tid) {
                        $0.inFlight = call
                        $0.listsBeforeNextCall = lists
                    }
                case .callReturned(_, let tid):
                    feeds.updateStatus(of: tid) { $0.inFlight = nil }
                case .breakpointHit(_, _, let hit):
                    breakpointHit = hit
                case .notListening:
                    silentNote = TracedTextLog.line(notice)
                case .forkedAway(_, let child, _):
                    forkNote = TracedTextLog.line(notice)
                    followed = child
                default:
                    return
                }
                generation += 1
            }
        }

        var listen: PeerAddress? { lock.withLock { listenAddress } }
        var note: String? { lock.withLock { forkNote ?? (listenAddress == nil ? silentNote : nil) } }
        /// The child followed after the started process forked away, if it did.
        var followedChild: Int32? { lock.withLock { followed } }

        /// The breakpoint that last held the program, once.
        func takeBreakpointHit() -> BreakpointHit? {
            lock.withLock {
                defer { breakpointHit = nil }
                return breakpointHit
            }
        }
        var held: String? { lock.withLock { heldCall } }
        var changes: Int { lock.withLock { generation } }
    }

    init(options: Options) throws {
        self.options = options
        state = DashboardState(language: options.language, breakpoints: options.breakpoints)
        state.offeredBreakpoints = Breakpoint.traceable
        try TerminalSession.checkUsable()
        backlog = try Doorbell()
        feeds = LoopThreadFeeds(backlog: backlog)
        var tracerOptions = options.tracer
        tracerOptions.reportsCallsInFlight = true
        // A started program's output goes to pipes shown on the status line, never over the screen.
        var fds: [Int32] = [-1, -1], errorFDs: [Int32] = [-1, -1]
        if case .launch = options.target {
            guard pipe(&fds) == 0 else { throw SystemError("pipe", errno: errno) }
            guard pipe(&errorFDs) == 0 else {
                let code = errno
                for fd in fds { close(fd) }
                throw SystemError("pipe", errno: code)
            }
            for fd in fds + errorFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            // The child's copies must survive exec: they lose O_CLOEXEC in the child (dup2).
            tracerOptions.outputFD = fds[1]
            tracerOptions.errorFD = errorFDs[1]
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(errorFDs[0], F_SETFL, O_NONBLOCK)
        }
        output = ProgramOutput(stdout: fds[0], stderr: errorFDs[0])
        tracer = Tracer(target: options.target, options: tracerOptions)
        tracer.setBreakpoints(options.breakpoints)
        if let path = options.record { shared.attach(recorder: try LineWriter.open(path: path)) }
        let shared = self.shared, feeds = self.feeds
        do {
            pid = try tracer.start(onRecord: { shared.add($0, to: feeds) },
                                   onNotice: { shared.notice($0, feeds: feeds) })
        } catch {
            for fd in fds + errorFDs where fd >= 0 { close(fd) }
            throw error
        }
        for fd in [fds[1], errorFDs[1]] where fd >= 0 { close(fd) }
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
                output.drain()
                paused = false
                // Its last state stays on screen, the call it was in no longer ticking.
                feeds.updateStatus {
                    $0.inFlight = nil
                    $0.runState = .stopped
                }
                endedText = Self.describe(end, pid: shared.followedChild ?? pid)
                dirty = true
            }
            if shared.changes != drawnGeneration { dirty = true }
            if !dirty, let due = tickDue, Posix.monotonicSeconds() >= due { dirty = true }
            if dirty && pacer.delay() == 0 {
                draw()
                dirty = false
            }
            let watched = output.fds + (supervisor?.outputFDs ?? []) + [backlog.fd]
            let woke = session.wait(forInputOr: watched, timeout: dirty ? max(pacer.delay(), 0.005) : 0.05)
            if !woke.signals.isEmpty || woke.hangup { break }
            if woke.ready.contains(backlog.fd) {
                backlog.answer()
                feeds.catchUp(eachOfLast: CallHistory.defaultCapacity) { [self] tid, record in
                    histories[tid, default: CallHistory()].append(record)
                }
            }
            for fd in output.fds where woke.ready.contains(fd) && output.read(from: fd) { dirty = true }
            if supervisor?.poll() == true {
                syncCrashHookChildren()
                dirty = true
            }
            if findPorts() { dirty = true }
            _ = state.apply(.clock(Posix.monotonicSeconds()))
            if let hit = shared.takeBreakpointHit() {
                // The tracer holds the program already: the screen says why it stands still.
                paused = true
                observe()
                _ = state.apply(.breakpointHit(hit))
                dirty = true
            }
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
    /// backend are its own: those effects only say so.
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
            case .server(.setBreakpoints(let chosen)):
                tracer.setBreakpoints(chosen)
            case .showThread(let tid):
                shownThread = tid
            case .server(.stop), .scheduleReplayStep:
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

    /// Feeds the state a fresh snapshot (the feed's records since the last frame, applied to
    /// the one reducer) and the client rows.
    private func observe() {
        drawnGeneration = shared.changes
        let runState: RunState = endedText != nil ? .stopped : paused ? (tracer.heldThreads > 0 ? .paused : .stepping) : .running
        let kernel = sampleKernelQueues()
        feeds.updateStatus { status in
            status.runState = runState
            if let kernel { status.kernel = kernel }
        }
        let rows = (supervisor?.rows ?? []).map { row -> ClientRow in
            var row = row
            row.localPort = clientPorts[row.pid]
            return row
        }
        _ = state.apply(.clock(Posix.monotonicSeconds()))
        let snapshot = feeds.snapshot(showing: shownThread, eachOfLast: CallHistory.defaultCapacity) { [self] tid, record in
            histories[tid, default: CallHistory()].append(record)
        }
        _ = state.apply(.observed(snapshot, clients: rows))
    }

    private func draw() {
        pacer.willDraw()
        observe()
        let size = session.size
        _ = state.apply(.resized(width: size.width, height: size.height))
        var model = state.model(asciiOnly: !session.isUTF8)
        let shown = shared.followedChild ?? pid
        // The state first: what a key just did, then the program's own output.
        var line = "traced: pid \(shown)"
        if paused { line += tracer.heldThreads > 0 ? " · held at \(shared.held ?? "its call")" : " · pausing" }
        if let endedText { line += " · \(endedText) — q quits" } else if let note = shared.note { line += " · \(note)" }
        if let status = model.status { line += " · \(status)" }
        // The program's output has a pane from 100 columns, or as the chosen view.
        let outputShown = size.width >= Layout.outputBesideQueuesWidth || model.view == .output
        if let lastLine = output.lastLine, !outputShown { line += " · output: \(lastLine)" }
        model.status = line
        model.program = "pid \(shown)  \(options.commandLine)"
        model.programOutput = output.lines
        if let endedText {
            var captured = true
            if case .attach = options.target { captured = false }
            model.programEnd = ProgramEndNote(headline: endedText, lastLines: output.lastErrorLines(6), captured: captured)
        }
        model.history = state.server.shownThread.flatMap { histories[$0] } ?? CallHistory()
        session.draw(DashboardRenderer.render(model, width: size.width, height: size.height))
        pacer.drew()
        tickDue = state.frameStaleAt(model)
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
